"""The ``newsindex`` command: index, search, stats, show, delete.

Exit status: 0 success; 1 some records were rejected (the rest were indexed);
2 a usage error, a malformed query or a missing index.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import click
from tqdm import tqdm

from .article import Article
from .index import DEFAULT_BATCH_SIZE, Index, NewsIndexError, default_index_path
from .query import QueryError
from .readers import Rejection, read

__all__ = ["main"]


def _fail(message: str, status: int = 2) -> NoReturn:
    click.echo(f"newsindex: error: {message}", err=True)
    sys.exit(status)


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


index_option = click.option(
    "--index",
    "index_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=default_index_path,
    show_default="$NEWSINDEX_INDEX or ~/.local/share/newsindex/index",
    help="Index folder.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def _open(path: Path, **kwargs: Any) -> Index:
    try:
        return Index(path, create=False, **kwargs)
    except NewsIndexError as exc:
        _fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsindex")
def main() -> None:
    """Search news by who, where and when."""


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@index_option
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Articles per commit.",
)
@click.option("--no-entities", is_flag=True, help="Skip people/organization/place extraction.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write rejected records to this JSON Lines file, for replay.",
)
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@json_option
def index_command(
    paths: tuple[str, ...],
    index_path: Path,
    batch_size: int,
    no_entities: bool,
    rejects: Path | None,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Index articles from files or folders (.jsonl, .json, .csv, .txt; - for stdin)."""
    counts = {"read": 0, "indexed": 0, "rejected": 0}
    bar = tqdm(
        unit=" docs",
        desc="indexing",
        disable=not progress if progress is not None else None,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    reject_file = rejects.open("w", encoding="utf-8") if rejects else None

    def articles() -> Iterator[Article]:
        for record in read(paths):
            counts["read"] += 1
            if isinstance(record, Rejection):
                counts["rejected"] += 1
                tqdm.write(str(record), file=sys.stderr)
                if reject_file:
                    entry = {"file": record.file, "line": record.line, "reason": record.reason, "record": record.raw}
                    reject_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                continue
            bar.update()
            yield record

    try:
        with Index(index_path, entities=None if no_entities else "bundled") as index:
            counts["indexed"] = index.add(articles(), batch_size=batch_size)
    except NewsIndexError as exc:
        _fail(str(exc))
    finally:
        bar.close()
        if reject_file:
            reject_file.close()
    if as_json:
        _dump({**counts, "index": str(index_path)})
    else:
        click.echo(
            f"read {counts['read']:,}, indexed {counts['indexed']:,}, rejected {counts['rejected']:,} -> {index_path}",
            err=True,
        )
    sys.exit(1 if counts["rejected"] else 0)


def _render_snippet(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(click.style(text[start:end], bold=True, fg="yellow"))
        last = end
    out.append(text[last:])
    return "".join(out)


@main.command()
@click.argument("query")
@index_option
@click.option("--limit", type=click.IntRange(min=1, max=1000), default=10, show_default=True, help="Hits per page.")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page number.")
@click.option(
    "--sort",
    type=click.Choice(["relevance", "newest", "oldest"]),
    default="relevance",
    show_default=True,
    help="Order of hits.",
)
@json_option
def search(query: str, index_path: Path, limit: int, page: int, sort: str, as_json: bool) -> None:
    """Search the index. See the README for the query syntax."""
    with _open(index_path, entities=None) as index:
        try:
            results = index.search(query, limit=limit, page=page, sort=sort)  # type: ignore[arg-type]
        except QueryError as exc:
            _fail(f"bad query: {exc}")
    if as_json:
        _dump(results.to_dict())
        return
    noun = "result" if results.total == 1 else "results"
    click.echo(f"{results.total:,} {noun} for {query} (page {results.page} of {results.pages})")
    for rank, hit in enumerate(results, (page - 1) * limit + 1):
        click.echo()
        click.echo(f"{rank}. " + click.style(hit.title or "(untitled)", bold=True) + f"  [{hit.score:.2f}]")
        meta = [hit.published.date().isoformat() if hit.published else "undated", hit.source, hit.id]
        click.echo("   " + " · ".join(m for m in meta if m))
        if hit.snippet:
            click.echo("   " + _render_snippet(hit.snippet, hit.highlights))


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else "-"


@main.command()
@index_option
@json_option
def stats(index_path: Path, as_json: bool) -> None:
    """Show how many articles the index holds, and more."""
    with _open(index_path, entities=None) as index:
        info = index.stats()
    if as_json:
        _dump(info.to_dict())
        return
    click.echo(f"index      {info.path}")
    click.echo(f"documents  {info.documents:,}")
    click.echo(f"segments   {info.segments}")
    click.echo(f"size       {info.size_bytes / 1e6:.1f} MB")
    click.echo(f"published  {_iso(info.oldest)} .. {_iso(info.newest)}")


@main.command()
@click.argument("article_id")
@index_option
def show(article_id: str, index_path: Path) -> None:
    """Print one indexed article as JSON."""
    with _open(index_path, entities=None) as index:
        article = index.get(article_id)
    if article is None:
        _fail(f"no article with id {article_id!r}", status=1)
    _dump(article.to_dict())


@main.command()
@click.argument("article_ids", nargs=-1, required=True)
@index_option
def delete(article_ids: tuple[str, ...], index_path: Path) -> None:
    """Delete articles by id."""
    missing = []
    with _open(index_path, entities=None) as index:
        for article_id in article_ids:
            if not index.delete(article_id):
                missing.append(article_id)
    for article_id in missing:
        click.echo(f"newsindex: no article with id {article_id!r}", err=True)
    sys.exit(1 if missing else 0)
