"""geomap's outputs, each derived from the one record its value defines (`Place.to_json`,
`Resolution.to_json`, `Source.to_json`, `Document.to_json`): JSON Lines, GeoJSON, Parquet rows,
and the msgpack codecs that let spaCy Docs carry geomap's values (`Doc.to_bytes`, `DocBin`,
`nlp.pipe(n_process=2)`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import srsly

from geomap.model import Document, Feature, Focus, FocusLevel, Mention, MentionKind, Place, Resolution


@dataclass(frozen=True, slots=True)
class Failure:
    """A document of a batch that could not be parsed: its id and why."""

    id: str | None
    error: str

    def to_json(self) -> dict:
        return {"id": self.id, "mentions": [], "error": self.error}


Outcome = Document | Failure
"""What a batch gives back for each document, in input order."""


def to_json(outcome: Outcome) -> str:
    """One JSON line: `{"id", "mentions": [...]}` as score.py reads it, or a failure's error line."""
    return json.dumps(outcome.to_json(), ensure_ascii=False)


def to_geojson(*documents: Document) -> dict:
    """One Point feature per resolved place of each document: the place's record, and its mentions'
    records; a single document's focus, when it has one, as the collection's own member "focus"."""
    features = []
    for place, resolutions in (entry for document in documents for entry in document.places.values()):
        mentions = [{k: v for k, v in r.to_json().items() if k != "place"} for r in resolutions]
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
            "properties": {**place.to_json(), "mentions": mentions},
        })
    collection: dict = {"type": "FeatureCollection", "features": features}
    if len(documents) == 1 and documents[0].focus is not None:
        collection["focus"] = documents[0].focus.to_json()
    return collection


def parquet_row(outcome: Outcome) -> dict:
    """A Parquet row: the id, the mentions and the focus as JSON strings (the focus None when there is
    none), and the error (None if it parsed)."""
    record = outcome.to_json()
    focus = record.get("focus")
    return {"id": str(record.get("id")), "mentions": json.dumps(record["mentions"], ensure_ascii=False),
            "focus": None if focus is None else json.dumps(focus, ensure_ascii=False), "error": record.get("error")}


def parquet_module(where: str):
    """pyarrow.parquet, or the one-line way to install it."""
    try:
        import pyarrow.parquet
    except ImportError:
        from geomap.errors import InputError

        raise InputError(f"{where}: Parquet needs pyarrow: pip install 'geomap[parquet]'") from None
    return pyarrow.parquet


class ParquetLines:
    """A writer that stores batch outcomes as Parquet rows (`parquet_row`), 256 rows to a write."""

    def __init__(self, fh, path: Path):
        self._parquet = parquet_module(str(path))
        import pyarrow

        self._pa = pyarrow
        self._schema = pyarrow.schema([("id", pyarrow.string()), ("mentions", pyarrow.string()),
                                       ("focus", pyarrow.string()), ("error", pyarrow.string())])
        self._writer = self._parquet.ParquetWriter(fh, self._schema)
        self._rows: list[dict] = []

    def write(self, outcome: Outcome) -> None:
        self._rows.append(parquet_row(outcome))
        if len(self._rows) >= 256:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self.flush()
        self._writer.close()


_TAG = "__geomap__"


def _encode(obj, chain=None):
    if isinstance(obj, Place):
        return {_TAG: "Place", **obj.to_json()}
    if isinstance(obj, Mention):
        return {_TAG: "Mention", **asdict(obj), "kind": obj.kind.value}
    if isinstance(obj, Resolution):
        return {_TAG: "Resolution", "mention": obj.mention, "place": obj.place, "confidence": obj.confidence,
                "alternatives": [[place, share] for place, share in obj.alternatives], "approximate": obj.approximate,
                "step": obj.step}
    if isinstance(obj, Focus):
        return {_TAG: "Focus", "place": obj.place, "level": obj.level.value, "source": obj.source,
                "confidence": obj.confidence}
    return obj if chain is None else chain(obj)


def _decode(obj, chain=None):
    kind = obj.get(_TAG) if isinstance(obj, dict) else None
    fields = {k: v for k, v in obj.items() if k != _TAG} if kind else {}
    if kind == "Place":
        return Place(**fields | {"feature": Feature(obj["feature"])})
    if kind == "Mention":
        return Mention(**fields | {"kind": MentionKind(obj["kind"])})
    if kind == "Resolution":
        alternatives = tuple((place, share) for place, share in obj["alternatives"])
        return Resolution(obj["mention"], obj["place"], obj["confidence"], alternatives, obj.get("approximate", False),
                          obj.get("step", ""))
    if kind == "Focus":
        return Focus(obj["place"], FocusLevel(obj["level"]), obj["source"], obj["confidence"])
    return obj if chain is None else chain(obj)


srsly.msgpack_encoders.register("geomap", func=_encode)
srsly.msgpack_decoders.register("geomap", func=_decode)
