"""How names are compared (one folding shared by the builder, the store and the recogniser), and the
one gate every name passes on its way into the gazetteer."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from geomap.errors import GazetteerError

_DROP = re.compile(r"[.'’ʼ`´‘ʻʿʾ]")
_SPACE = re.compile(r"[\s\-‐‑–—_/,]+")
_LATIN = re.compile(r"^[a-z0-9 &()]+$")
_LETTERS = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i", "đ": "d", "Đ": "D",
                          "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th",
                          "ħ": "h", "Ħ": "H", "ə": "e", "Ə": "E"})
"""Latin letters Unicode does not decompose into a base letter and an accent, written as English
news writes them ("Diyarbakır", "Međugorje", "Videbæk", "Xgħajra")."""

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
"""German's own spelling of its umlauts without them: "Düsseldorf" is also "Duesseldorf"."""
_ARABIC_ARTICLE = re.compile(r"^(?:al|ar|as|ash|ad|adh|an|at|ath|az) (?=\S{5})")
"""The Arabic article that GeoNames writes and English news mostly leaves out: "Al Qāmishlī" is
"Qamishli", "Ar Raqqah" "Raqqah". Only before a word of five letters or more ("As Salt" stays)."""
_ROMANISED_ENDINGS = ((re.compile(r"iya\b"), "ia"), (re.compile(r"(?<=[kn])iy\b"), "y"))
"""Word endings that transliterations of Russian and Arabic write in two ways, the second the
English one: "Ingushetiya" / "Ingushetia", "Ismailiya" / "Ismailia", "Nizhniy" / "Nizhny",
"Krasnoyarskiy" / "Krasnoyarsky"."""
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters no stored name holds: C0 and C1 controls (newlines, and the ESC and CSI that start terminal
escape sequences), line and paragraph separators (they forge lines), and the bidirectional embeddings,
overrides and isolates (an override makes a name read as another). Other format characters (the
joiners some scripts need) are kept."""


def safe_name(text: str, where: str | None = None, what: str = "name") -> str:
    """`text` as the gazetteer may store it: the one gate for every name, country and region code.
    A user's file (`where` names its file and line) holding an UNSAFE character is refused there;
    bulk data (packaged sources, imported GeoNames dumps and Natural Earth layers) has it dropped
    (`store_entries` leaves out a lookup name the gate would change)."""
    if not UNSAFE.search(text):
        return text
    if where is not None:
        raise GazetteerError(f"{where}: {what} {text!r} contains a control character")
    return UNSAFE.sub("", text)


@lru_cache(maxsize=1 << 16)  # the same names recur across the texts of a batch
def fold(name: str) -> str:
    """Case, accents, dots and apostrophes folded away: "U.S." and "US" both give "us"."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_LETTERS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", _DROP.sub("", stripped)).strip().casefold()


def keys(name: str) -> set[str]:
    """Every folded form a name is found by: its own, and the other spellings news gives it
    ("Duesseldorf", "Ingushetia"), so a lookup stays one index probe."""
    found = {fold(name), fold(unicodedata.normalize("NFC", name).translate(_UMLAUTS))}
    found |= {_ARABIC_ARTICLE.sub("", key) for key in found}
    for key in list(found):
        for ending, english in _ROMANISED_ENDINGS:
            found.add(ending.sub(english, key))
    return {key for key in found if key}


def is_latin(key: str) -> bool:
    """Whether a folded name is written in plain Latin letters, the only ones English news uses."""
    return bool(key) and bool(_LATIN.match(key))
