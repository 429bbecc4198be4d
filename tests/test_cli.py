from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, SEEDS

from newsindex.cli import main


@pytest.fixture
def run(tmp_path: Path):
    runner = CliRunner()
    index = str(tmp_path / "index")

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, [*args, "--index", index], input=input, catch_exceptions=False)

    return invoke


def test_index_then_search_the_seed(run):
    result = run("index", str(SEEDS), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["indexed"] == 1
    out = run("search", '"ballistic missiles"', "--json")
    data = json.loads(out.stdout)
    assert data["total"] == 1
    assert set(data["hits"][0]) >= {"id", "title", "published", "source", "score", "snippet"}
    human = run("search", 'person:"Kim Jong Un"')
    assert "1 result" in human.stdout and "Kim Jong Un arrives" in human.stdout


def test_partial_failure_exits_1_and_reports_file_and_line(run, tmp_path: Path):
    data = tmp_path / "mixed.jsonl"
    data.write_text('{"title": "good one"}\n{broken\n{"title": "good two"}\n')
    rejects = tmp_path / "rejects.jsonl"
    result = run("index", str(data), "--rejects", str(rejects))
    assert result.exit_code == 1
    assert f"{data}:2: malformed JSON" in result.stderr
    assert "indexed 2" in result.stderr and "rejected 1" in result.stderr
    assert json.loads(rejects.read_text())["record"] == "{broken"
    assert json.loads(run("stats", "--json").stdout)["documents"] == 2


def test_bad_query_is_one_line_and_exit_2(run):
    run("index", str(SEEDS), "--no-entities")
    result = run("search", "published:[bogus TO 2023]")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "bad query" in result.stderr
    assert "Traceback" not in result.output


def test_missing_index_is_exit_2(run):
    result = run("search", "anything")
    assert result.exit_code == 2 and "no index" in result.stderr


def test_show_and_delete(run):
    run("index", str(SEEDS), "--no-entities")
    shown = json.loads(run("show", "seed-kim-putin-vostochny").stdout)
    assert shown["published"].startswith("2023-09-13")
    assert run("delete", "seed-kim-putin-vostochny").exit_code == 0
    assert run("delete", "seed-kim-putin-vostochny").exit_code == 1
    assert json.loads(run("stats", "--json").stdout)["documents"] == 0


def test_index_reads_stdin(run):
    result = run("index", "-", "--no-entities", input='{"title": "from stdin"}\n')
    assert result.exit_code == 0
    assert json.loads(run("search", "stdin", "--json").stdout)["total"] == 1


def test_index_env_var_sets_the_default_location(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("NEWSINDEX_INDEX", str(tmp_path / "env-index"))
    runner = CliRunner()
    assert runner.invoke(main, ["index", str(SEEDS), "--no-entities"]).exit_code == 0
    assert (tmp_path / "env-index").is_dir()


def _commands_and_options():
    for name, command in main.commands.items():
        yield name, None
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--"):
                    yield name, opt


@pytest.mark.parametrize(("command", "option"), list(_commands_and_options()))
def test_every_command_and_option_is_documented(command, option):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(rf"^### `newsindex {command}`.*?(?=^### |\Z)", readme, re.M | re.S)
    assert section, f"README has no '### `newsindex {command}`' section"
    if option:
        assert option in section.group(0), f"{option} of `newsindex {command}` is not in its README section"


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path):
    import subprocess
    import sys

    index = tmp_path / "index"
    env = {**os.environ, "NEWSINDEX_INDEX": str(index)}
    subprocess.run([sys.executable, "-m", "newsindex", "index", str(SEEDS), "--no-entities"], env=env, check=True)
    # `| head`: the reader closes the pipe before reading everything.
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsindex", "search", "missiles", "--limit", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # gone before the command (still importing) writes its first line
    _, err = proc.communicate(timeout=60)
    assert b"error" not in err and b"Traceback" not in err, err
    assert proc.returncode == 141  # as a filter killed by SIGPIPE
