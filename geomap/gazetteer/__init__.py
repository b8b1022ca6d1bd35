"""The offline gazetteer: build it, read it, extend it."""
