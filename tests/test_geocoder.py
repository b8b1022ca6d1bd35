from geopy.location import Location

from geomap.geocoder import OfflineGazetteer


def test_geocode_returns_a_geopy_location(gazetteer):
    location = OfflineGazetteer(gazetteer.path).geocode("Kursk Oblast")
    assert isinstance(location, Location)
    assert location.raw["geonameid"] == 538555
    assert abs(location.latitude - 51.5) < 1 and abs(location.longitude - 36.2) < 1


def test_geocode_many_and_none(gazetteer):
    geolocator = OfflineGazetteer(gazetteer.path)
    assert len(geolocator.geocode("Moscow", exactly_one=False, limit=5)) == 5
    assert geolocator.geocode("Qwxzplorb") is None


def test_reverse_finds_the_nearest_place(gazetteer):
    location = OfflineGazetteer(gazetteer.path).reverse("55.7522, 37.6156")
    assert location.raw["geonameid"] == 524901
