"""geomap: find the places a text names, resolve them offline, and map them."""

from geomap.model import Candidate, Document, Feature, Mention, MentionKind, Place, Resolution

__all__ = ["Candidate", "Document", "Feature", "Mention", "MentionKind", "Place", "Resolution"]
__version__ = "0.1.0"
"""The one version source: pyproject.toml reads it from here."""
