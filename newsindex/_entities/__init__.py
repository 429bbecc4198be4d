"""Named entities: the bundled tagger, the NLTK backend, canonical names, and training.

The rest of the package uses only the names re-exported here.
"""

from .extractor import (
    BACKENDS,
    LABELS,
    ArticleEntities,
    BundledExtractor,
    Entity,
    EntityExtractor,
    NLTKExtractor,
    alias_table,
    article_entities,
    canonicalize,
    extract_entities,
    get_extractor,
)

__all__ = [
    "BACKENDS",
    "LABELS",
    "ArticleEntities",
    "BundledExtractor",
    "Entity",
    "EntityExtractor",
    "NLTKExtractor",
    "alias_table",
    "article_entities",
    "canonicalize",
    "extract_entities",
    "get_extractor",
]
