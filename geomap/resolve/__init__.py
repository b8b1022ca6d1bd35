"""Choose a place for every mention, using evidence from the whole document.

The resolver is an ordered tuple of named steps (`steps.STEPS`) over a `Draft` of the document:
candidates, qualifier, one sense per name, prior, the user's preference, the document's context,
confidence, strays dropped, unplaced names placed approximately. Registered as the spaCy component
``geomap_resolver``; results land on ``doc._.geo_resolutions`` and each entity-like ``Span._.geo_place``.
"""

from geomap.resolve.component import Resolver, make_resolver, preferred
from geomap.resolve.settings import ResolverSettings
from geomap.resolve.steps import STEPS, Step

__all__ = ["STEPS", "Resolver", "ResolverSettings", "Step", "make_resolver", "preferred"]
