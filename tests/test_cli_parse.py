"""`newsarchive parse` as a user runs it: a real subprocess, its stdout lines, stderr lines and exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.plugins.cli import assert_one_line_error, run_cli
from tests.support.article_fixtures import article_fixture, article_fixtures

pytestmark = pytest.mark.e2e

FIXTURES = article_fixtures()
MANILA = article_fixture("world_afp_manila").page_path
URL = "https://www.taipeitimes.com/News/taiwan/archives/2024/10/16/2003825384"


def records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_every_fixture_through_the_cli_in_argument_order() -> None:
    result = run_cli("parse", *(str(f.page_path) for f in reversed(FIXTURES)))
    assert result.code == Exit.OK and result.err == "", result
    got = records(result.out)
    assert len(got) == len(FIXTURES)
    for fixture, record in zip(reversed(FIXTURES), got):
        want = fixture.record()
        wrong = [f"{k}: expected {want[k]!r}, got {record.get(k)!r}" for k in want if want[k] != record.get(k)]
        assert not wrong, f"{fixture}:\n  " + "\n  ".join(wrong)


def test_output_is_utf8_json_lines_not_ascii_escaped() -> None:
    result = run_cli("parse", str(article_fixture("lang_bilingual_guardian").page_path), env={"PYTHONIOENCODING": "ascii"})
    assert result.code == Exit.OK, result
    assert "台灣夜市吸引饕客" in result.out and "\\u" not in result.out
    assert result.out.count("\n") == 1


def test_bad_files_are_reported_and_the_rest_still_parsed(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4)
    other = tmp_path / "list.html"
    other.write_text('<html><head><base href="https://www.taipeitimes.com/"><meta property="og:url" '
                     'content="https://www.taipeitimes.com/News/world"></head><body></body></html>')
    redesign = tmp_path / "redesign.html"
    redesign.write_text('<html><head><meta property="og:url" content="https://www.taipeitimes.com/News/world/'
                        'archives/2024/10/16/2003825390"></head><body><article><h1>New</h1></article></body></html>')
    good = MANILA
    result = run_cli("parse", str(empty), str(good), str(binary), str(other), str(redesign), str(good))
    assert result.code == Exit.BAD_INPUT, result
    assert "Traceback" not in result.err
    assert [r["id"] for r in records(result.out)] == ["2003825390", "2003825390"]
    lines = result.err.splitlines()
    assert len(lines) == 4, result
    for line, path, reason in zip(lines, (empty, binary, other, redesign),
                                  ("empty page", "binary", "not an article page", "unknown layout")):
        assert str(path) in line and reason in line, line


def test_url_option_is_the_fallback_for_pages_without_their_own(tmp_path: Path) -> None:
    html = article_fixture("taiwan_brief_minimal_head").page()
    bare = tmp_path / "saved.html"
    bare.write_text(html.replace(f'<meta property="og:url" content="{URL}">', ""), encoding="utf-8")
    refused = run_cli("parse", str(bare))
    assert_one_line_error(refused, Exit.BAD_INPUT)
    assert "no article URL" in refused.err
    result = run_cli("parse", str(bare), "--url", URL.replace("https://www.", "http://"))
    assert result.code == Exit.OK, result
    assert records(result.out)[0]["url"] == URL


@pytest.mark.parametrize("args, message", [
    (["parse"], "Missing argument"),
    (["parse", "/nonexistent/page.html"], "does not exist"),
    (["parse", str(MANILA), "/nonexistent/page.html"], "does not exist"),
    (["parse", str(MANILA.parent)], "is a directory"),
    (["parse", str(MANILA), "--url", "https://example.com/x"], "not a Taipei Times"),
    (["parse", str(MANILA), "--bogus"], "No such option"),
])
def test_usage_errors_exit_2_before_any_output(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert_one_line_error(result, Exit.USAGE)
    assert message in result.err and "parse --help" in result.err
    assert result.out == ""
