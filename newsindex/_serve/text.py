"""Article text for HTML: snippets with their matched words, bodies with entity marks.

Everything here returns plain strings in pieces (``Piece``); the templates
escape every piece, so no article text is ever trusted as markup.

>>> [(p.text, p.kind) for p in snippet_pieces("Kim met Putin", ((8, 13),))]
[('Kim met ', None), ('Putin', 'match')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import attrs

from .._article import Article
from .._entities import Entity, extract_entities
from .._vocabulary import ENTITY_FIELDS

__all__ = ["LABEL_FIELDS", "Piece", "entity_paragraphs", "entity_query", "safe_url", "snippet_pieces"]

# Entity labels of the extractor -> the index field (and query prefix) for them.
LABEL_FIELDS = {"PERSON": "person", "ORGANIZATION": "organization", "LOCATION": "location"}
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")


@attrs.frozen
class Piece:
    text: str
    kind: str | None = None  # None (plain), "match", or an entity field
    name: str = ""  # canonical entity name
    query: str = ""  # the search an entity links to


def snippet_pieces(text: str, spans: Iterable[tuple[int, int]]) -> list[Piece]:
    """A snippet cut at the matched words (``Hit.highlights``)."""
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last or end > len(text):
            continue
        if start > last:
            out.append(Piece(text[last:start]))
        out.append(Piece(text[start:end], "match"))
        last = end
    if last < len(text):
        out.append(Piece(text[last:]))
    return out


def entity_query(field: str, name: str) -> str:
    """``person:"Kim Jong Un"``: a whole name in quotes (quotes in names dropped)."""
    clean = " ".join(name.replace('"', " ").split())
    return f'{field}:"{clean}"'


def safe_url(url: str) -> str | None:
    """An article's URL if it is http(s), else None (never a ``javascript:`` link)."""
    return url if re.match(r"(?i)https?://", url) else None


def _marks(article: Article) -> list[Entity]:
    """Mentions to mark: those whose canonical name the index holds for this article.

    Extraction runs on the stored title and body at view time, which gives
    every mention's position (stored names are canonical, ``Vladimir Putin``,
    while the text says ``Putin``). Keeping only names the index holds means
    every mark links to a search that finds this article; an article indexed
    without entities gets every mention, linked as a phrase search.
    """
    stored = {field: set(getattr(article, attr) or ()) for field, attr in ENTITY_FIELDS.items()}
    found = [e for e in extract_entities(article.text) if e.label in LABEL_FIELDS]
    if not any(stored.values()):
        return found
    return [e for e in found if e.name in stored[LABEL_FIELDS[e.label]]]


def _pieces(text: str, offset: int, mentions: Sequence[Entity], indexed: bool) -> list[Piece]:
    out, last = [], 0
    for e in mentions:
        start, end = e.start - offset, e.end - offset
        if start < last or end > len(text):
            continue
        if start > last:
            out.append(Piece(text[last:start]))
        field = LABEL_FIELDS[e.label]
        q = entity_query(field, e.name) if indexed else '"{}"'.format(e.name.replace('"', " "))
        out.append(Piece(text[start:end], field, e.name, q))
        last = end
    if last < len(text):
        out.append(Piece(text[last:]))
    return out


def entity_paragraphs(article: Article) -> tuple[list[Piece], list[list[Piece]], dict[str, int]]:
    """The title and the body's paragraphs in pieces, with entity mentions marked,
    and how often each marked name is mentioned."""
    indexed = any(getattr(article, attr) for attr in ENTITY_FIELDS.values())
    mentions = sorted(_marks(article), key=lambda e: (e.start, -e.end))
    counts: dict[str, int] = {}
    for e in mentions:
        counts[e.name] = counts.get(e.name, 0) + 1
    title_len = len(article.title)
    title = _pieces(article.title, 0, [e for e in mentions if e.end <= title_len], indexed)
    base = title_len + 2 if article.title else 0  # Article.text is title, blank line, body
    body = article.body
    paragraphs = []
    start = 0
    for match in [*_PARAGRAPH.finditer(body), None]:
        end = match.start() if match else len(body)
        inside = [e for e in mentions if base + start <= e.start and e.end <= base + end]
        if body[start:end].strip():
            paragraphs.append(_pieces(body[start:end], base + start, inside, indexed))
        if match:
            start = match.end()
    return title, paragraphs, counts
