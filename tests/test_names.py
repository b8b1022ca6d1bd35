from geomap.gazetteer.names import fold, is_latin


def test_fold_treats_abbreviations_case_and_accents_alike():
    assert fold("U.S.") == fold("US") == "us"
    assert fold("Kurskaya oblast'") == "kurskaya oblast"
    assert fold("Côte d’Ivoire") == "cote divoire"
    assert fold("Stratford-upon-Avon") == "stratford upon avon"


def test_is_latin_rejects_other_scripts():
    assert is_latin(fold("Moskva"))
    assert not is_latin(fold("Москва"))
    assert not is_latin("")
