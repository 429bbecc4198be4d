"""The ``newsindex`` command: index, search, export, similar, stats, show, delete,
check, optimize, entities, serve.

Exit status: 0 success; 1 some records were rejected (the rest were indexed), an
id was not found or the index is damaged; 2 a usage error, a malformed query or
a missing index; 3 another writer held the lock too long.

Options that several commands take are declared once, below, as decorators;
every error newsindex raises on purpose is a :class:`~newsindex.NewsIndexError`,
turned into one line by :class:`_Group`, the one place that catches it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import attrs
import click
from tqdm import tqdm

from ._archive import SHARD_BY, Archive, ArchiveStats, is_archive
from ._article import Article
from ._entities import BACKENDS, extract_entities
from ._errors import IndexDamagedError, IndexLockedError, NewsIndexError, QueryError
from ._export import EXPORT_FIELDS, FORMATS, export_lines, parse_fields
from ._index import DEFAULT_BATCH_SIZE, DEFAULT_LOCK_TIMEOUT, Index, default_index_path
from ._pipeline import DEFAULT_PROCS
from ._readers import SUFFIXES, Rejection, check_inputs, read
from ._results import Results
from ._whoosh import SORTS, Sort

__all__ = ["main"]


def _fail(message: str, status: int = 2) -> NoReturn:
    click.echo(f"newsindex: error: {message}", err=True)
    sys.exit(status)


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# -- options shared by several commands ---------------------------------------

index_option = click.option(
    "--index",
    "index_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=default_index_path,
    show_default="$NEWSINDEX_INDEX or ~/.local/share/newsindex/index",
    help="Index folder.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
lock_timeout_option = click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=DEFAULT_LOCK_TIMEOUT,
    show_default=True,
    help="Seconds to wait for another writer before giving up (exit status 3).",
)


entity_backend_option = click.option(
    "--entity-backend",
    type=click.Choice(BACKENDS),
    default=BACKENDS[0],
    show_default=True,
    help="Entity extractor: the bundled model, or NLTK's ne_chunk (needs NLTK's models).",
)


def sort_option(default: Sort, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--sort relevance|newest|oldest``, with the default a command wants."""
    return click.option("--sort", type=click.Choice(SORTS), default=default, show_default=True, help=help)


def page_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--limit`` (hits per page) and ``--page`` (which page), for commands that list hits."""
    command = click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page number.")(
        command
    )
    return click.option(
        "--limit", type=click.IntRange(min=1, max=1000), default=10, show_default=True, help="Hits per page."
    )(command)


dask_option = click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    help="Run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' for workers on this machine.",
)


@contextmanager
def _dask(address: str | None, workers: int = 2) -> Iterator[Any]:
    """A Dask client for ``--dask`` (or ``None``), closed afterwards with any cluster it started."""
    if address is None:
        yield None
        return
    from ._dask import connect

    client, cluster = connect(address, workers)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _open(path: Path, dask: Any = None, threads: int = 1, **kwargs: Any) -> Index | Archive:
    """The index or archive in ``path``."""
    if is_archive(path):
        return Archive(path, create=False, entities=None, dask=dask, threads=threads, **kwargs)
    if dask is not None:
        raise NewsIndexError(f"--dask searches archives; {path} is a plain index (build one with --shard-by)")
    return Index(path, create=False, entities=None, **kwargs)


class _Group(click.Group):
    """The one place errors become messages: a :class:`NewsIndexError` (a bad
    query, a missing, locked or incompatible index, an unusable entity backend)
    is one line with its exit status; anything unexpected (a damaged index, a
    full disk) is one line too.

    Set NEWSINDEX_DEBUG=1 to see the traceback instead.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # The reader went away (`newsindex search … | head`): stop quietly, as a
            # filter killed by SIGPIPE would, and keep Python's exit flush from failing too.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except QueryError as exc:
            _fail(f"bad query: {exc}")
        except IndexLockedError as exc:
            _fail(str(exc), status=3)
        except NewsIndexError as exc:
            _fail(str(exc))
        except Exception as exc:
            if os.environ.get("NEWSINDEX_DEBUG"):
                raise
            _fail(f"{type(exc).__name__}: {exc} (if the index is damaged, `newsindex check` says where)", status=1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsindex")
def main() -> None:
    """Search news by who, where and when."""


def _committed(n: int) -> str:
    return f"{n:,} articles were committed before that" if n else "nothing was written"


class _RejectsFile:
    """``--rejects``: rejected records as JSON Lines, written beside the file and
    renamed over it when the run ends, so an existing file is replaced only by
    a run that has something to write (and never truncated halfway).

    Refused, before anything is read: a path that is one of the inputs (itself,
    or through a symbolic link) or inside an input folder, where it would be read
    as input; and a path that is a symbolic link, which would be followed into
    another file unseen. An input emptied by ``--rejects`` was issue #12's probe.
    """

    def __init__(self, path: Path, inputs: tuple[str, ...]) -> None:
        if path.is_symlink():
            _fail(f"--rejects {path} is a symbolic link (to {os.readlink(path)}); name the file itself")
        target = path.resolve()
        if not target.parent.is_dir():
            _fail(f"--rejects {path}: the folder {path.parent} does not exist")
        for name in inputs:
            source = Path(name)
            if name == "-" or not source.exists():
                continue
            if source.is_dir():
                if target.is_relative_to(source.resolve()) and target.suffix.lower() in SUFFIXES:
                    _fail(f"--rejects {path} is inside the input folder {name}, where it would be read as input")
            elif source.resolve() == target or (path.exists() and os.path.samefile(source, path)):
                _fail(f"--rejects {path} is the input file {name}; writing rejects there would destroy it")
        self.path = path
        self._partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        self._out: Any = None

    def write(self, entry: dict[str, Any]) -> None:
        if self._out is None:
            self._out = self._partial.open("w", encoding="utf-8")
        self._out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def close(self) -> None:
        """Put the rejects in place (if there were any)."""
        if self._out is None:
            return
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        os.replace(self._partial, self.path)


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
@entity_backend_option
@click.option(
    "--procs",
    type=click.IntRange(min=1),
    default=DEFAULT_PROCS,
    show_default="all cores",
    help="Worker processes for analysis and writing.",
)
@lock_timeout_option
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write rejected records to this JSON Lines file, for replay (replaced only by a run with rejects).",
)
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@click.option(
    "--shard-by",
    type=click.Choice(SHARD_BY),
    help="Create a sharded archive: one index per year, month or day of publication.",
)
@dask_option
@json_option
def index_command(
    paths: tuple[str, ...],
    index_path: Path,
    batch_size: int,
    no_entities: bool,
    entity_backend: str,
    procs: int,
    lock_timeout: float,
    rejects: Path | None,
    progress: bool | None,
    shard_by: str | None,
    dask_address: str | None,
    as_json: bool,
) -> None:
    """Index articles from files or folders (.jsonl, .json, .csv, .txt, .parquet; - for stdin).

    Each batch is one durable commit; re-running the same command after a crash
    completes the index without duplicates.
    """
    reject_file = _RejectsFile(rejects, paths) if rejects else None  # refuses a bad path before any work
    check_inputs(paths)  # .parquet without pyarrow: refused before any work
    counts = {"read": 0, "indexed": 0, "rejected": 0}
    bar = tqdm(
        unit=" docs",
        desc="indexing",
        disable=not progress if progress is not None else None,
        file=sys.stderr,
        dynamic_ncols=True,
    )

    def reject(record: Rejection) -> None:
        tqdm.write(str(record), file=sys.stderr)
        if reject_file:
            entry = {"file": record.file, "line": record.line, "reason": record.reason, "record": record.raw}
            reject_file.write(entry)

    def articles() -> Iterator[Article]:
        for record in read(paths):
            counts["read"] += 1
            if isinstance(record, Rejection):
                counts["rejected"] += 1
                reject(record)
                continue
            bar.update()
            yield record

    backend = None if no_entities else entity_backend
    committed = [0]

    def on_commit(n: int) -> None:
        committed[0] += n

    archive = shard_by is not None or is_archive(index_path)
    if dask_address is not None and not archive:
        raise NewsIndexError("--dask builds archives: add --shard-by year|month|day")
    try:
        with _dask(dask_address, procs) as client:
            index: Index | Archive
            if archive:
                index = Archive(
                    index_path, shard_by=shard_by or "month", entities=backend, procs=procs, lock_timeout=lock_timeout
                )
            else:
                index = Index(index_path, entities=backend, procs=procs, lock_timeout=lock_timeout)
            with index:
                if isinstance(index, Archive):
                    if shard_by is not None and shard_by != index.shard_by:
                        raise NewsIndexError(f"{index_path} is sharded by {index.shard_by}, not {shard_by}")
                    if "-" in paths:  # standard input: read here, the articles shipped to the workers
                        added = index.add(articles(), batch_size=batch_size, progress=on_commit, dask=client)
                    else:  # the workers read the files themselves, a partition each

                        def committed_here(n: int) -> None:
                            on_commit(n)
                            bar.update(n)

                        done = index.add_files(paths, progress=committed_here, rejected=reject, dask=client)
                        counts.update(read=done.read, rejected=done.rejected)
                        added = done.indexed
                else:
                    added = index.add(articles(), batch_size=batch_size, progress=on_commit)
                counts["indexed"] = added
    except IndexLockedError as exc:
        raise IndexLockedError(f"{exc}; {_committed(committed[0])}") from None
    except OSError as exc:  # a full disk, a write error: say what is safe, as for the lock
        reason = exc.strerror or str(exc)
        _fail(
            f"cannot write the index: {reason}; {_committed(committed[0])} "
            "(each commit is whole; re-running the same command completes the index without duplicates)",
            status=1,
        )
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


def _print_results(results: Results, heading: str) -> None:
    """Hits for a terminal: title, date · source · id, and the snippet with matches in bold."""
    noun = "result" if results.total == 1 else "results"
    click.echo(f"{results.total:,} {noun} for {heading} (page {results.page} of {results.pages})")
    if results.suggestion:
        click.echo("did you mean: " + click.style(results.suggestion, bold=True) + " ?")
    for rank, hit in enumerate(results, (results.page - 1) * results.limit + 1):
        click.echo()
        click.echo(f"{rank}. " + click.style(hit.title or "(untitled)", bold=True) + f"  [{hit.score:.2f}]")
        meta = [hit.published.date().isoformat() if hit.published else "undated", hit.source, hit.id]
        click.echo("   " + " · ".join(m for m in meta if m))
        if hit.snippet:
            click.echo("   " + _render_snippet(hit.snippet, hit.highlights))
    for key, counts in results.facets.items():
        click.echo()
        click.echo(click.style(key, bold=True))
        width = max((len(c.value) for c in counts), default=0)
        for count in counts:
            click.echo(f"  {count.value:<{width}}  {count.count:>7,}")
        if not counts:
            click.echo("  (none)")


@main.command()
@click.argument("query")
@index_option
@page_options
@sort_option("relevance", "Order of hits.")
@click.option(
    "--facets",
    default="",
    metavar="LIST",
    help="Counts over all matches, comma-separated: person,org,location,source,published:day|week|month|year.",
)
@click.option("--facet-limit", type=click.IntRange(min=1), default=10, show_default=True, help="Values per name facet.")
@click.option(
    "--threads", type=click.IntRange(min=1), default=1, show_default=True, help="Archive shards searched at once."
)
@dask_option
@json_option
def search(
    query: str,
    index_path: Path,
    limit: int,
    page: int,
    sort: Sort,
    facets: str,
    facet_limit: int,
    threads: int,
    dask_address: str | None,
    as_json: bool,
) -> None:
    """Search the index. See the README for the query syntax."""
    with _dask(dask_address) as client, _open(index_path, dask=client, threads=threads) as index:
        results = index.search(
            query,
            limit=limit,
            page=page,
            sort=sort,
            facets=[f for f in facets.split(",") if f.strip()],
            facet_limit=facet_limit,
        )
    if as_json:
        _dump(results.to_dict())
        return
    _print_results(results, query)


@main.command()
@click.argument("query")
@index_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True, help="Output format.")
@click.option(
    "--fields",
    default=",".join(EXPORT_FIELDS),
    metavar="LIST",
    help="Comma-separated Article fields to write (default: all, which `newsindex index` reads back).",
)
@sort_option("oldest", "Order of the articles.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
def export(
    query: str, index_path: Path, fmt: str, fields: str, sort: Sort, output: Path | None, progress: bool | None
) -> None:
    """Write every article matching QUERY (no cap) as JSON Lines or CSV."""
    try:
        chosen_fields = parse_fields(fields)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--fields") from None
    with (
        _open(index_path) as index,
        index.scan(query, sort=sort, fields=chosen_fields) as scan,
    ):
        chosen = scan.fields or EXPORT_FIELDS
        bar = tqdm(
            total=len(scan),
            unit=" docs",
            desc="exporting",
            disable=not progress if progress is not None else None,  # None: on a terminal only
            file=sys.stderr,
            dynamic_ncols=True,
        )
        partial = output.with_name(output.name + ".part") if output else None
        out = partial.open("w", encoding="utf-8", newline="") if partial else sys.stdout
        try:
            for line in export_lines(_counted(scan, bar), chosen, fmt):
                out.write(line)
            out.flush()
        except BaseException:
            if partial:
                out.close()
                partial.unlink(missing_ok=True)
            raise
        finally:
            bar.close()
        if partial and output:
            out.close()
            partial.replace(output)
    click.echo(f"exported {len(scan):,} articles" + (f" -> {output}" if output else ""), err=True)


def _counted(items: Iterator[Any], bar: Any) -> Iterator[Any]:
    for item in items:
        bar.update()
        yield item


@main.command()
@click.argument("article_id")
@index_option
@page_options
@dask_option
@json_option
def similar(article_id: str, index_path: Path, limit: int, page: int, dask_address: str | None, as_json: bool) -> None:
    """Articles most like one indexed article."""
    with _dask(dask_address) as client, _open(index_path, dask=client) as index:
        results = index.similar(article_id, limit=limit, page=page)
    if results is None:
        _fail(f"no article with id {article_id!r}", status=1)
    if as_json:
        _dump(results.to_dict())
        return
    _print_results(results, f"articles like {article_id}")


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else "-"


@main.command()
@index_option
@json_option
def stats(index_path: Path, as_json: bool) -> None:
    """Show how many articles the index holds, and more."""
    with _open(index_path) as index:
        info = index.stats()
    if as_json:
        _dump(info.to_dict())
        return
    click.echo(f"index      {info.path}")
    click.echo(f"documents  {info.documents:,}")
    click.echo(f"segments   {info.segments}")
    click.echo(f"size       {info.size_bytes / 1e6:.1f} MB")
    click.echo(f"published  {_iso(info.oldest)} .. {_iso(info.newest)}")
    if isinstance(info, ArchiveStats):
        click.echo(f"shards     {len(info.shards)} (by {info.shard_by})")
        for shard in info.shards:
            click.echo(f"  {shard.name:<10}  {shard.documents:>9,}")


@main.command()
@click.argument("article_id")
@index_option
def show(article_id: str, index_path: Path) -> None:
    """Print one indexed article as JSON."""
    with _open(index_path) as index:
        article = index.get(article_id)
    if article is None:
        _fail(f"no article with id {article_id!r}", status=1)
    _dump(article.to_dict())


@main.command()
@click.argument("article_ids", nargs=-1, required=True)
@index_option
@lock_timeout_option
def delete(article_ids: tuple[str, ...], index_path: Path, lock_timeout: float) -> None:
    """Delete articles by id."""
    missing = []
    deleted = 0
    with _open(index_path, lock_timeout=lock_timeout) as index:
        for article_id in article_ids:
            try:
                found = index.delete(article_id)
            except IndexLockedError as exc:
                done = f"{deleted:,} of the {len(article_ids):,} were deleted before that" if deleted else ""
                raise IndexLockedError(f"{exc}; {done or 'nothing was deleted'}") from None
            deleted += found
            if not found:
                missing.append(article_id)
    for article_id in missing:
        click.echo(f"newsindex: no article with id {article_id!r}", err=True)
    sys.exit(1 if missing else 0)


@main.command()
@index_option
@json_option
def check(index_path: Path, as_json: bool) -> None:
    """Verify an index: every segment opens, counts add up, stored fields read."""
    try:
        index = _open(index_path)
    except IndexDamagedError as exc:
        _fail(f"damage: {exc}", status=1)
    except NewsIndexError:
        raise
    except Exception as exc:  # a damaged table of contents fails to open in many ways
        _fail(f"index at {index_path} is damaged: cannot open it: {exc}", status=1)
    with index:
        problems = index.check()
        documents = None if problems else len(index)  # counting needs sound segments
    if as_json:
        _dump({"ok": not problems, "documents": documents, "problems": problems})
    elif problems:
        for problem in problems:
            click.echo(f"newsindex: damage: {problem}", err=True)
    else:
        click.echo(f"ok: {documents or 0:,} documents in {index_path}")
    sys.exit(1 if problems else 0)


@main.command()
@index_option
@lock_timeout_option
def optimize(index_path: Path, lock_timeout: float) -> None:
    """Merge all segments into one, for faster searching."""
    with _open(index_path, lock_timeout=lock_timeout) as index:
        before = index.stats().segments
        index.optimize()
        after = index.stats().segments
    click.echo(f"merged {before} segments into {after}", err=True)


@main.command()
@click.argument("source")
@entity_backend_option
@json_option
def entities(source: str, entity_backend: str, as_json: bool) -> None:
    """Show the people, organizations and places in TEXT, or in the articles of FILE.

    FILE may be any format `newsindex index` reads; a .txt file (or - for
    standard input) is taken as plain text.
    """
    texts: list[tuple[str, str]] = []
    path = Path(source)
    if source == "-":
        texts.append(("<stdin>", sys.stdin.read()))
    elif path.is_file() and path.suffix.lower() in (".json", ".jsonl", ".ndjson", ".csv"):
        for record in read([path]):
            if isinstance(record, Rejection):
                click.echo(str(record), err=True)
            else:
                texts.append((record.id, record.text))
    elif path.is_file():
        try:
            texts.append((source, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"cannot read {source}: {exc}")
    else:
        texts.append(("<text>", source))
    results = [(name, extract_entities(text, backend=entity_backend)) for name, text in texts]
    if as_json:
        _dump([{"source": name, "entities": [attrs.asdict(e) for e in found]} for name, found in results])
        return
    for name, found in results:
        if len(results) > 1:
            click.echo(click.style(name, bold=True))
        by_label: dict[str, dict[str, int]] = {}
        for entity in found:
            names = by_label.setdefault(entity.label, {})
            names[entity.name] = names.get(entity.name, 0) + 1
        for label in ("PERSON", "ORGANIZATION", "LOCATION", "MISC"):
            if label in by_label:
                listed = ", ".join(f"{n} ({c})" if c > 1 else n for n, c in by_label[label].items())
                click.echo(f"{label.lower():13} {listed}")


@main.command()
@index_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback: this machine only)."
)
@click.option(
    "--port", type=click.IntRange(min=0, max=65535), default=8080, show_default=True, help="Port to listen on."
)
@click.option(
    "--readers",
    type=click.IntRange(min=1, max=32),
    default=2,
    show_default=True,
    help="Index readers open at once (requests beyond wait); each keeps its own caches.",
)
def serve(index_path: Path, host: str, port: int, readers: int) -> None:
    """Serve a search site and JSON API over the index (read-only; needs the serve extra)."""
    try:
        from ._serve import is_loopback, run
    except ImportError as exc:
        _fail(f"`newsindex serve` needs the serve extra ({exc.name} is missing): pip install 'newsindex[serve]'")
    _open(index_path).close()  # a missing or unreadable index fails here, before "serving"
    if not is_loopback(host):
        click.echo(
            f"newsindex: warning: listening on {host}, not loopback: anyone who can reach this machine on port "
            f"{port} can search and read every article (the server is read-only and has no login)",
            err=True,
        )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"newsindex: serving {index_path} at http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
    run(index_path, host=host, port=port, readers=readers)
