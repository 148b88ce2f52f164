"""Bad input on the command line, for every command: one line on stderr, the documented exit code, no traceback.

"Unwritable" is real: root ignores file modes, so the paths live on a tmpfs
remounted read-only (the kernel refuses the write, as on a read-only disk).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import remount_read_only, tmpfs
from tests.plugins.cli import assert_one_line_error, run_cli
from tests.support.article_fixtures import article_fixture

pytestmark = pytest.mark.e2e

FIXTURE = article_fixture("biz_bloomberg_jsonld_url")
FIXTURE_ID, FIXTURE_DAY = "2003825420", "2024/10/17"


@dataclass(frozen=True)
class ReadOnly:
    store: Path  # a store holding one record, on a read-only file system
    missing: Path  # a folder that does not exist, on the same file system


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadOnly]:
    with tmpfs(tmp_path_factory.mktemp("ro") / "disk", "4m") as disk:
        record = disk / "archive" / "records" / FIXTURE_DAY / f"{FIXTURE_ID}.json"
        record.parent.mkdir(parents=True)
        shutil.copy(FIXTURE.record_path, record)
        remount_read_only(disk)
        yield ReadOnly(disk / "archive", disk / "nothing-here")


BAD_DATE, BAD_URI, NOT_A_SECTION = "2024-02-30", "gopher://host/x", "nope"

#: command -> (arguments, exit code, words of the message); {store} and {missing} name the read-only paths
CASES: dict[str, list[tuple[list[str], Exit, str]]] = {
    "crawl": [
        (["--since", BAD_DATE], Exit.USAGE, "not a date"),
        (["--store", BAD_URI], Exit.USAGE, "store URI"),
        (["--base-url", "http://[::1"], Exit.USAGE, "base URL"),
        (["--sections", NOT_A_SECTION], Exit.USAGE, "unknown section"),
        (["--store", "{missing}"], Exit.STORE_WRITE_FAILED, "not writable"),
    ],
    "parse": [
        ([str(FIXTURE.page_path), "--url", "http://example.com/../../etc/x"], Exit.USAGE, "article URL"),
        (["{missing}/page.html"], Exit.USAGE, "does not exist"),
    ],
    "search": [
        (["x", "--store", "{store}", "--since", BAD_DATE], Exit.USAGE, "not a date"),
        (["x", "--store", BAD_URI], Exit.USAGE, "store URI"),
        (["x", "--store", "{store}", "--section", NOT_A_SECTION], Exit.USAGE, "section"),
    ],
    "kwic": [
        (["x", "--store", "{store}", "--since", BAD_DATE], Exit.USAGE, "not a date"),
        (["x", "--store", BAD_URI], Exit.USAGE, "store URI"),
        (["x", "--store", "{missing}"], Exit.USAGE, "no such folder"),
    ],
    "export": [
        (["--format", "csv", "-o", "-", "--store", "{store}", "--until", BAD_DATE], Exit.USAGE, "not a date"),
        (["--format", "csv", "-o", "-", "--store", BAD_URI], Exit.USAGE, "store URI"),
        (["--format", "csv", "-o", "-", "--store", "{store}", "--section", NOT_A_SECTION], Exit.USAGE, "section"),
        (["--format", "csv", "-o", "{store}/out.csv", "--store", "{store}"], Exit.USAGE, "cannot write"),
        (["--format", "wacz", "-o", "{store}/out.wacz", "--store", "{store}"], Exit.USAGE, "cannot write"),
    ],
    "show": [
        (["../../etc/passwd", "--store", "{store}"], Exit.USAGE, "not an article id"),
        ([FIXTURE_ID, "--store", BAD_URI], Exit.USAGE, "store URI"),
    ],
    "verify": [
        (["--store", BAD_URI], Exit.USAGE, "store URI"),
        (["--store", "{missing}"], Exit.USAGE, "no such folder"),
    ],
    "reparse": [
        (["--store", "{store}", "--since", BAD_DATE], Exit.USAGE, "not a date"),
        (["--store", BAD_URI], Exit.USAGE, "store URI"),
    ],
    "coverage": [
        (["--store", "{store}", "--since", BAD_DATE, "--until", "2024-10-17"], Exit.USAGE, "not a date"),
        (["--store", "{store}", "--since", "2024-10-17", "--until", "2024-10-17", "--sections", NOT_A_SECTION],
         Exit.USAGE, "unknown section"),
        (["--store", BAD_URI, "--since", "2024-10-17", "--until", "2024-10-17"], Exit.USAGE, "store URI"),
    ],
    "index": [
        (["--store", BAD_URI], Exit.USAGE, "store URI"),
    ],
    "replay": [
        (["--store", BAD_URI], Exit.USAGE, "store URI"),
        (["--store", "{missing}"], Exit.USAGE, "no such folder"),
        (["--store", "{store}"], Exit.BAD_INPUT, "no capture"),
        (["--store", "{store}", "--port", "70000"], Exit.USAGE, "--port"),
    ],
    "serve": [  # refused before anything listens
        (["--store", "{store}", "--host", "0.0.0.0"], Exit.USAGE, "--token"),
        (["--store", "{store}", "--host", "0.0.0.0", "--token", "short"], Exit.USAGE, "--token"),
        (["--store", BAD_URI], Exit.USAGE, "store URI"),
        (["--store", "{missing}"], Exit.USAGE, "no such folder"),
    ],
}


def test_every_command_is_covered() -> None:
    from newsarchive.cli import COMMANDS

    assert set(CASES) == set(COMMANDS)


@pytest.mark.parametrize("command, args, code, words", [
    pytest.param(command, args, code, words, id=f"{command}-{n}")
    for command, cases in CASES.items() for n, (args, code, words) in enumerate(cases)])
def test_bad_input_is_one_line_and_the_documented_code(read_only: ReadOnly, tmp_path: Path, command: str,
                                                       args: list[str], code: Exit, words: str) -> None:
    argv = [a.format(store=read_only.store, missing=read_only.missing) for a in args]
    # nothing is ever fetched: a crawl that got past its checks would find no site on this port
    extra = ["--base-url", "http://127.0.0.1:9"] if command == "crawl" and "--base-url" not in argv else []
    result = run_cli(command, *argv, *extra, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert_one_line_error(result, code)
    assert words in result.err, result


@pytest.mark.parametrize("command", ["search", "index"])
def test_an_unwritable_index_folder_is_a_write_error(read_only: ReadOnly, command: str) -> None:
    """The search index is a cache beside the store; where it cannot be written, say so in one line."""
    args = ["typhoon"] if command == "search" else []
    result = run_cli(command, *args, "--store", str(read_only.store), env={"XDG_CACHE_HOME": str(read_only.missing)})
    assert_one_line_error(result, Exit.STORE_WRITE_FAILED)
    assert "not writable" in result.err or "write" in result.err, result
