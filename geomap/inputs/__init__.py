"""Everything geomap reads: articles (`articles.load`: a file, standard input or a URL, its format
told by its first bytes), the article inside a web page, PDF or Word file (`extractors`), the one
HTTP client (`network`, also used by the Natural Earth download), many documents from JSON Lines or
Parquet (`records`), and the bounded, checked reads they share (`reading`)."""

from geomap.inputs.articles import Limits, load, output_stem
from geomap.inputs.records import read_records

__all__ = ["Limits", "load", "output_stem", "read_records"]
