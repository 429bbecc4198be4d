"""One vocabulary: the names of the entity fields and every alias users may write.

The query parser (``org:IMF``), facets (``--facets places``), the article
readers (a record's ``"orgs"`` key) and the command line all read these tables,
so an alias accepted in one place is accepted in all of them.

>>> field_for("Places"), field_for("org"), field_for("body")
('location', 'organization', None)
>>> ARTICLE_KEYS["people"], ARTICLE_KEYS["organisations"]
('persons', 'organizations')
"""

from __future__ import annotations

__all__ = [
    "ANY_ENTITY",
    "ARTICLE_KEYS",
    "ENTITY_FIELDS",
    "FIELD_ALIASES",
    "NAME_FIELDS",
    "field_for",
]

# Index field -> the Article attribute that holds its names.
ENTITY_FIELDS = {"person": "persons", "organization": "organizations", "location": "locations"}
# Fields of names that facets count: the entities and the source.
NAME_FIELDS = (*ENTITY_FIELDS, "source")
# A pseudo-field of the query language: any of the entity fields.
ANY_ENTITY = "entity"

# Field -> the other names it answers to, in queries, facets and records.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "person": ("persons", "people"),
    "organization": ("organizations", "org", "orgs", "organisation", "organisations"),
    "location": ("locations", "loc", "place", "places"),
    "source": ("sources",),
}

_FIELD_OF = {name: field for field in NAME_FIELDS for name in (field, *FIELD_ALIASES.get(field, ()))}

# A record's key -> the Article attribute it fills, for every name of an entity field.
ARTICLE_KEYS = {name: ENTITY_FIELDS[field] for name, field in _FIELD_OF.items() if field in ENTITY_FIELDS}


def field_for(name: str) -> str | None:
    """The name field (``person``, ``organization``, ``location``, ``source``) that
    ``name`` or one of its aliases means, case-insensitively; ``None`` for others."""
    return _FIELD_OF.get(name.strip().lower())
