"""Turn documents into things people and programs read: maps, JSON, GeoJSON."""
