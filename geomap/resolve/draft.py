"""A document's resolution while the steps work on it: its readings, groups and choices.

A *reading* is one way the text writes a name (the name, the qualifier written with it, whether the
text points at a feature); mentions that share a reading share its candidates and scores, so each
step works once per reading or per group, not once per mention, and the cost stays linear in the
mentions. A *group* is the mentions that must mean one place (one sense per discourse).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from geomap.gazetteer.store import Gazetteer
from geomap.model import Candidate, Focus, Mention, MentionKind, Place, Resolution
from geomap.resolve.settings import ResolverSettings


@dataclass(slots=True)
class Reading:
    """One way the text names a place, with what the steps found for it."""

    kind: MentionKind
    key: str
    qualifier: str
    feature_sign: bool
    mention: Mention
    """Its first mention: what the steps read of the text."""
    candidates: list[Candidate] = field(default_factory=list)
    narrowed: bool = False
    """Its qualifier narrowed the candidates ("Springfield, Missouri"): it keeps a group of its own."""
    scores: list[float] = field(default_factory=list)
    """Per candidate, what the reading alone says (prior, preference, the article's focus): the
    document's evidence is added to these in each round."""
    group: int = -1

    @classmethod
    def key_of(cls, m: Mention) -> tuple[MentionKind, str, str, bool]:
        return m.kind, m.key, m.qualifier, m.feature_sign


@dataclass(slots=True)
class Group:
    """Mentions (indices, in text order) that mean one place, and the place they mean so far."""

    mentions: list[int]
    place: Place | None = None
    pool: dict[int, float] = field(default_factory=dict)
    """Candidate id -> score pooled over the group's mentions (their mean)."""
    step: str = ""
    """The step that chose `place`: the last one that changed it."""

    def shares(self, temperature: float = 1.0) -> list[tuple[int, float]]:
        """The pooled candidates' ids, best first, each with its softmax share of the pool."""
        ranked = sorted(self.pool.items(), key=lambda kv: -kv[1])
        top = ranked[0][1]
        weights = [math.exp((v - top) / temperature) for _, v in ranked]
        total = sum(weights)
        return [(gid, w / total) for (gid, _), w in zip(ranked, weights)]


@dataclass(slots=True)
class Draft:
    """What the resolver knows of one document so far; each step reads it and adds to it."""

    mentions: list[Mention]
    gazetteer: Gazetteer
    settings: ResolverSettings
    prefer: dict[str, Place]
    """{folded name: place}: the place the user says a name means (`preferred`)."""
    readings: list[Reading]
    reading_of: list[int]
    """Per mention, the index of its reading."""
    text: str = ""
    """The document's text, where the steps read more than its mentions (the dateline)."""
    home: Place | None = None
    """Where the user says the article is from (`home_place`)."""
    groups: list[Group] = field(default_factory=list)
    focus: Focus | None = None
    locality: float = 0.0
    """The share of the text's names with a reading at the focus (`steps.focus`)."""
    resolutions: list[Resolution] = field(default_factory=list)

    @classmethod
    def of(cls, mentions: list[Mention], gazetteer: Gazetteer, settings: ResolverSettings,
           prefer: dict[str, Place], text: str = "", home: Place | None = None) -> Draft:
        index: dict[tuple[MentionKind, str, str, bool], int] = {}
        readings: list[Reading] = []
        reading_of = []
        for m in mentions:
            key = Reading.key_of(m)
            if key not in index:
                index[key] = len(readings)
                readings.append(Reading(*key, mention=m))
            reading_of.append(index[key])
        return cls(mentions, gazetteer, settings, prefer, readings, reading_of, text, home)

    def qualifiers(self) -> set[int]:
        """The mentions that qualify the mention before them (the "Tenn." of "Nashville, Tenn."): part of
        that name, not a name of their own."""
        order = sorted(range(len(self.mentions)), key=lambda i: self.mentions[i].start)
        return {after for before, after in zip(order, order[1:])
                if self.mentions[before].qualifier and self.mentions[after].lookup == self.mentions[before].qualifier}

    def choose(self, scores: list[list[float]], step: str) -> None:
        """Each group's place: the best of its scores (per reading, per candidate) pooled over its
        mentions (the first on a tie); a group whose place changes records `step` as the one that chose it."""
        self._pool(scores)
        for group in self.groups:
            if not group.pool:
                continue
            best = max(group.pool, key=group.pool.__getitem__)
            if group.place is None or group.place.geonameid != best:
                group.place = next(c.place for i in group.mentions
                                   for c in self.readings[self.reading_of[i]].candidates if c.place.geonameid == best)
                group.step = step

    def _pool(self, scores: list[list[float]]) -> None:
        """Each group's scores (per reading, per candidate) pooled over its mentions: their mean."""
        for group in self.groups:
            pooled: dict[int, float] = {}
            for i in group.mentions:
                r = self.reading_of[i]
                for c, v in zip(self.readings[r].candidates, scores[r]):
                    pooled[c.place.geonameid] = pooled.get(c.place.geonameid, 0.0) + v / len(group.mentions)
            group.pool = pooled
