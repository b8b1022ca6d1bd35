"""What geomap's two gazetteer-reading spaCy components share: saving, loading and initialising.

A component's settings are its factory's config, so `nlp.to_disk` writes them once, in
config.cfg. What the component writes itself is the identity of the gazetteer it ran with (the
gazetteer is too big to copy into every saved pipeline), so a pipeline loaded where the
gazetteer differs says so: its results may differ from those it gave when it was saved.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import srsly
from spacy import util
from spacy.language import Language
from spacy.tokens import Doc

from geomap.gazetteer.store import Gazetteer

IDENTITY = "gazetteer.json"

if not Doc.has_extension("geo_home"):
    Doc.set_extension("geo_home", default=None)
"""Where the article is from, when the user says (`Place`, set by `Geoparser` before the components
run): both components read it."""


@lru_cache(maxsize=8)
def identity(gazetteer: Gazetteer) -> dict[str, int]:
    """What the gazetteer holds (counts by kind, names, the user's own places): computed once
    per open gazetteer, which keeps reading the same file however it is rebuilt meanwhile."""
    return gazetteer.info()


class GazetteerComponent:
    """spaCy's serialisation and initialisation protocol for a component that reads `self.gazetteer`."""

    gazetteer: Gazetteer

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp: Language | None = None) -> None:
        """Nothing to learn from examples; checks that the components before this one assign what it
        requires (an entity recogniser before the recogniser, the recogniser before the resolver)."""
        if nlp is None:
            return
        name = next(name for name, pipe in nlp.pipeline if pipe is self)
        analysis = nlp.analyze_pipes()
        assert analysis is not None  # hinted Optional by spaCy, always the analysis
        missing = analysis["problems"][name]
        if missing:
            raise ValueError(f"{name}: needs {', '.join(missing)} from a component before it in the pipeline")

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return util.to_bytes({"gazetteer": lambda: srsly.json_dumps(identity(self.gazetteer))}, exclude)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> GazetteerComponent:
        util.from_bytes(data, {"gazetteer": lambda b: self._compare(srsly.json_loads(b))}, exclude)
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        util.to_disk(path, {IDENTITY: lambda p: srsly.write_json(p, identity(self.gazetteer))}, exclude)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> GazetteerComponent:
        util.from_disk(path, {IDENTITY: lambda p: self._compare(srsly.read_json(p))}, exclude)
        return self

    def _compare(self, saved: dict[str, int]) -> None:
        """Warn when the pipeline was saved with another gazetteer than the one it now reads."""
        now = identity(self.gazetteer)
        if saved != now:
            warnings.warn(
                f"{self.gazetteer.path}: this pipeline was saved with another gazetteer "
                f"({saved.get('places', 0):,} places, {saved.get('user', 0):,} of them the user's; "
                f"this one has {now['places']:,} and {now['user']:,}); its results may differ",
                stacklevel=3,
            )
