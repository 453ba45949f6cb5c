"""The `newsfacts` command as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

COMMANDS = [
    ["run"], ["extract"], ["query"], ["check"], ["report"],
    ["flags", "dismiss"], ["sources", "check"], ["export"], ["parse"],
]


def newsfacts(*args: str, cwd: Path | None = None, stdin: str | None = None,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line in a fresh interpreter, as the console script does."""
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, check=False, timeout=600,
        env={**os.environ, **(env or {}), "COLUMNS": "120"},
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert words in result.stderr
    assert result.stderr.strip().startswith("newsfacts: error:")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = newsfacts(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout
    assert "newsfacts " + command[0] in result.stdout


def test_extract_reads_stdin_and_keeps_the_span_invariant() -> None:
    text = "Almost 253 million people joined in 2024, up by 3.96 million or 1.6 percent year-on-year."
    result = newsfacts("extract", "--published", "2025-07-14", stdin=text)
    assert result.returncode == 0, result.stderr
    figures = [json.loads(line) for line in result.stdout.splitlines()]
    assert [f["surface"] for f in figures] == ["253 million", "3.96 million", "1.6 percent"]
    for f in figures:
        assert text[f["start"]:f["end"]] == f["surface"]
    assert figures[0]["value"] == 253_000_000 and figures[0]["approx"] == "under"
    assert figures[1]["change"]["direction"] == "up"


def test_extract_without_the_model_says_so_once(tmp_path: Path) -> None:
    # a pipeline that is not installed: figures still come, with one warning line on stderr
    text = "Sales rose 12% to $3.4bn last year."
    result = newsfacts("extract", "--model", "no_such_model", "--published", "2025-03-01",
                       stdin=text)
    assert result.returncode == 0, result.stderr
    figures = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(f["surface"], f["measure"]) for f in figures] == [("12%", None), ("$3.4bn", None)]
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "'no_such_model' is not installed" in warnings[0]
    batch = tmp_path / "in.jsonl"
    batch.write_text("".join(json.dumps({"id": i, "text": text}) + "\n" for i in range(40)))
    result = newsfacts("extract", "--batch", str(batch), "--processes", "2",
                       "--model", "no_such_model")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 40
    assert result.stderr.count("is not installed") == 1


def test_extract_batch_keeps_input_order(tmp_path: Path) -> None:
    lines = [
        {"id": "b", "text": "Revenue was $5.2bn.", "published": "2024-01-01"},
        {"id": "a", "text": "No figures here.", "published": None},
        {"id": "c", "text": "Coverage reached 96.77%.", "published": "2013-01-01"},
    ]
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    result = newsfacts("extract", "--batch", str(batch))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["b", "a", "c"]
    assert out[0]["figures"][0]["value"] == 5_200_000_000
    assert out[0]["figures"][0]["unit"] == "USD"
    assert out[1]["figures"] == []
    assert out[2]["figures"][0]["value"] == 96.77
    # the same output from two worker processes
    parallel = newsfacts("extract", "--batch", str(batch), "--processes", "2")
    assert parallel.returncode == 0, parallel.stderr
    assert parallel.stdout == result.stdout


def test_extract_reads_an_html_page_and_its_date(fixtures_dir: Path) -> None:
    page = fixtures_dir / "pages" / "chinadaily-medical-insurance-2024.html"
    result = newsfacts("extract", str(page))
    assert result.returncode == 0, result.stderr
    figures = [json.loads(line) for line in result.stdout.splitlines()]
    surfaces = [f["surface"] for f in figures]
    assert "1.32 billion" in surfaces and "$487 billion" in surfaces
    assert not {"1995", "0108263", "130349", "1024"} & set(surfaces)
    by_surface = {f["surface"]: f for f in figures}
    assert by_surface["1.32 billion"]["period"] == "2024"  # "last year" in a 2025 article


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["extract", "--published", "14/07/2025"], "bad date"),
        (["extract", "no-such-file.txt"], "no such file"),
        (["query", "--db", "missing.duckdb", "select 1"], "no warehouse"),
        (["report", "--db", "missing.duckdb"], "no warehouse"),
        (["check", "--db", "missing.duckdb"], "no warehouse"),
        (["run", "--sources", "missing.toml"], "no such sources file"),
        (["sources", "check", "missing.toml"], "missing.toml"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else v,
)
def test_bad_input_is_one_clear_line(tmp_path: Path, args: list[str], words: str) -> None:
    result = newsfacts(*args, cwd=tmp_path, stdin="")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert words in result.stderr


BROKEN_SOURCES = """\
[[sources]]
name = "list"
urls = ["https://[::1/feed", "https://x.example:99999/s.xml"]
"""


def assert_one_line_before_prefect(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert_clean_error(result, words)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "prefect" not in (result.stdout + result.stderr).lower()  # it never started


def test_run_checks_the_sources_file_before_prefect_starts(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(BROKEN_SOURCES, encoding="utf-8")
    result = newsfacts("run", "--sources", str(broken), "--db", str(tmp_path / "w.duckdb"),
                       cwd=tmp_path)
    assert_one_line_before_prefect(
        result, f"{broken}, line 3: source 'list': 'https://[::1/feed' is not a valid URL"
    )
    assert "(and 1 more problem(s): `newsfacts sources check" in result.stderr
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize(
    ("url", "words"),
    [("https://[::1/x", "https://[::1/x: not a valid URL: bad IPv6 address in [brackets]"),
     ("http://", "http://: not a valid URL: the host is missing")],
)
def test_run_with_a_bad_url_says_why_in_one_line(tmp_path: Path, url: str, words: str) -> None:
    result = newsfacts("run", "--source", url, "--db", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    assert_one_line_before_prefect(result, words)


def test_serve_checks_the_sources_file_before_registering_anything(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[[sources]]\nname = "x"\nfeed = "https://a.example/rss"\n'
                      'allow_privat = true\n', encoding="utf-8")
    # a Prefect server that does not answer: reaching it would be a different error
    result = newsfacts("serve", "--sources", str(broken), "--cron", "0 * * * *",
                       env={"PREFECT_API_URL": "http://127.0.0.1:9/api"}, cwd=tmp_path)
    assert_one_line_before_prefect(
        result, f"{broken}, line 4: unknown source key 'allow_privat': did you mean"
    )


def test_sources_check_lists_every_bad_url_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(BROKEN_SOURCES.replace('", "', '",\n  "')
                      + '[[sources]]\nname = "feed"\nfeed = "https://[::1/feed"\n'
                      + 'allow_hosts = ["127.0.0.1", "exa mple"]\n', encoding="utf-8")
    result = newsfacts("sources", "check", str(broken))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        (f"{broken}, line 3: source 'list': 'https://[::1/feed' is not a valid URL:"
        " bad IPv6 address in [brackets]"),
        (f"{broken}, line 4: source 'list': 'https://x.example:99999/s.xml' is not a valid URL:"
        " port 99999 is out of range (1-65535)"),
        (f"{broken}, line 7: source 'feed': feed 'https://[::1/feed' is not a valid URL:"
        " bad IPv6 address in [brackets]"),
        (f"{broken}, line 8: source 'feed': allow_hosts: 'exa mple' is not a host name: give the"
        ' name or address alone, without scheme, port or path, e.g. allow_hosts ='
        ' ["intranet.example", "127.0.0.1"]'),
    ]


@pytest.fixture()
def small_db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    from warehouse.load import connect

    con = connect(path)
    con.close()
    return path


def test_query_refuses_writes(small_db: Path) -> None:
    result = newsfacts("query", "--db", str(small_db), "delete from figures")
    assert_clean_error(result, "read-only")
    result = newsfacts("query", "--db", str(small_db), "create table x (a int)")
    assert_clean_error(result, "read-only")


def test_query_formats(small_db: Path) -> None:
    sql = "select 1 as one, 'a' as letter"
    as_json = newsfacts("query", "--db", str(small_db), "--format", "json", sql)
    assert json.loads(as_json.stdout) == [{"one": 1, "letter": "a"}]
    as_csv = newsfacts("query", "--db", str(small_db), "--format", "csv", sql)
    assert as_csv.stdout.splitlines() == ["one,letter", "1,a"]
    as_table = newsfacts("query", "--db", str(small_db), sql)
    assert "letter" in as_table.stdout
    bad = newsfacts("query", "--db", str(small_db), "select * from nowhere")
    assert_clean_error(bad, "query failed")
    duckdb.connect(str(small_db)).close()  # the reader left the file usable by a writer


def test_export_writes_every_table_as_parquet(small_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    result = newsfacts("export", "--db", str(small_db), "--parquet", str(out))
    assert result.returncode == 0, result.stderr
    written = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert {"articles", "figures", "flags", "runs"} <= set(written)
    assert all(Path(path).exists() for path in written.values())


def test_parse_prints_each_page_as_a_json_line(fixtures_dir: Path, tmp_path: Path) -> None:
    pages = sorted((fixtures_dir / "pages").glob("*.html"))
    result = newsfacts("parse", "--format", "jsonl", *map(str, pages))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == [str(p) for p in pages]
    china = next(r for r in records if "chinadaily" in r["path"])
    assert china["published"].startswith("2025-07-14T19:33")
    assert "3.49 trillion yuan ($487 billion)" in china["text"]
    assert "Copyright" not in china["text"]
    png = tmp_path / "image.html"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert_clean_error(newsfacts("parse", str(png)), "PNG")


def test_parse_prints_each_page_as_text(fixtures_dir: Path) -> None:
    pages = sorted((fixtures_dir / "pages").glob("*.html"))
    result = newsfacts("parse", *map(str, pages))  # text is the default format
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("== ")[1:]
    assert [b.splitlines()[0] for b in blocks] == [str(p) for p in pages]
    china = next(b for b in blocks if "chinadaily" in b.splitlines()[0])
    lines = china.splitlines()
    assert lines[1].startswith("title:     ") and "1.32b" in lines[1]
    assert lines[2].startswith("published: 2025-07-14T19:33")
    assert lines[3] == ""
    assert "3.49 trillion yuan ($487 billion)" in china and "Copyright" not in china
    assert newsfacts("parse", "--format", "text", *map(str, pages)).stdout == result.stdout


def test_parse_prints_every_page_as_one_json_array(fixtures_dir: Path) -> None:
    pages = sorted((fixtures_dir / "pages").glob("*.html"))
    result = newsfacts("parse", "--format", "json", *map(str, pages))
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert isinstance(records, list) and [r["path"] for r in records] == [str(p) for p in pages]
    assert all(set(r) == {"path", "title", "published", "canonical_url", "text"} for r in records)
    as_lines = newsfacts("parse", "--format", "jsonl", *map(str, pages))
    assert records == [json.loads(line) for line in as_lines.stdout.splitlines()]
    assert_clean_error(newsfacts("parse", "--format", "xml", str(pages[0])), "unknown format")


def test_the_command_line_starts_without_loading_the_warehouse_stack():
    # `newsfacts extract` must not pay for pandas and DuckDB; the error handler finds the
    # library's error classes only in modules already loaded
    probe = (
        "import sys, flows.cli\n"
        "heavy = sorted({'pandas', 'duckdb', 'prefect'} & set(sys.modules))\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
