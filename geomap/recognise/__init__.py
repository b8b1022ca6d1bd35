"""Find the spans of a text that name places: spaCy's NER plus the gazetteer's names.

The small English model misses and mislabels places ("Kursk Oblast" as ORG, "Kursk" as
PRODUCT), so every capitalised run of words is also looked up in the gazetteer and kept when the
name is prominent or the context says "place". `context` computes what the rules read once per
text, `rules` holds the ordered rules, `component` the spaCy component ``geomap_recogniser``
(importing this package registers it).
"""

from geomap.recognise.component import Recogniser, make_recogniser
from geomap.recognise.context import Labels, RecogniserSettings
from geomap.recognise.rules import RULES, Rule

__all__ = ["RULES", "Labels", "Recogniser", "RecogniserSettings", "Rule", "make_recogniser"]
