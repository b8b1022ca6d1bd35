"""msgpack codecs for geomap's values, so a Doc carrying them serialises like any spaCy data.

Registered with srsly (spaCy's serialiser) when the components are imported, this is what
lets `Doc.to_bytes`, `DocBin` and `nlp.pipe(n_process=2)` carry `doc._.geo_mentions` and
`doc._.geo_resolutions`.
"""

from __future__ import annotations

from dataclasses import asdict

import srsly

from geomap.model import Feature, Mention, MentionKind, Place, Resolution

TAG = "__geomap__"


def encode(obj, chain=None):
    if isinstance(obj, Place):
        return {TAG: "Place", **obj.to_json()}
    if isinstance(obj, Mention):
        return {TAG: "Mention", **asdict(obj), "kind": obj.kind.value}
    if isinstance(obj, Resolution):
        return {TAG: "Resolution", "mention": obj.mention, "place": obj.place,
                "confidence": obj.confidence, "alternatives": list(obj.alternatives)}
    return obj if chain is None else chain(obj)


def decode(obj, chain=None):
    kind = obj.get(TAG) if isinstance(obj, dict) else None
    if kind == "Place":
        return Place(**{k: v for k, v in obj.items() if k != TAG} | {"feature": Feature(obj["feature"])})
    if kind == "Mention":
        return Mention(**{k: v for k, v in obj.items() if k != TAG} | {"kind": MentionKind(obj["kind"])})
    if kind == "Resolution":
        return Resolution(obj["mention"], obj["place"], obj["confidence"], tuple(obj["alternatives"]))
    return obj if chain is None else chain(obj)


srsly.msgpack_encoders.register("geomap", func=encode)
srsly.msgpack_decoders.register("geomap", func=decode)
