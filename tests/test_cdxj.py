"""CDXJ lines: parsed and written as cdxj-indexer writes them, sorted in byte order (externally), merged,
and found by binary search in a file, the way pywb finds them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.archive import cdxj
from newsarchive.archive.cdxj import CdxLine, SortedCdxj, merge, sort_lines, timestamp14, url_key, write_atomic

LINE = ('com,taipeitimes)/news/front/archives/2024/10/16/2003825372 20241016032005 {"url": '
        '"https://www.taipeitimes.com/News/front/archives/2024/10/16/2003825372", "mime": "text/html", "status": '
        '"200", "digest": "sha1:GLJRMHX4PX6ECXVC4QPVFNGUWDVA7LVO", "length": "9009", "offset": "324680", '
        '"filename": "TT-20241016032005000000-00000-host-1.warc.gz"}\n')


def test_a_line_reads_and_writes_back_byte_for_byte() -> None:
    line = CdxLine.parse(LINE)
    assert line is not None
    assert line.text == LINE
    assert (line.urlkey, line.timestamp, line.offset, line.length) == (
        "com,taipeitimes)/news/front/archives/2024/10/16/2003825372", "20241016032005", 324680, 9009)
    assert line.url.endswith("2003825372") and not line.is_revisit and line.digest.startswith("sha1:")


def test_moved_changes_only_where_the_capture_lies() -> None:
    line = CdxLine.parse(LINE)
    assert line is not None
    moved = line.moved("warc/2024/10/16/x.warc.gz", offset=12)
    assert (moved.filename, moved.offset, moved.length, moved.url) == ("warc/2024/10/16/x.warc.gz", 12, 9009, line.url)
    assert json.loads(moved.text.split(" ", 2)[2])["offset"] == "12"  # numbers stay strings, as cdxj-indexer has them
    assert line.filename.startswith("TT-")  # the original is untouched


@pytest.mark.parametrize("text", ["", "\n", "!meta 0 {}", "a b", "a b not-json", "a b [1]"])
def test_what_is_not_a_line(text: str) -> None:
    assert CdxLine.parse(text) is None


def test_url_keys_and_timestamps_as_pywb_has_them() -> None:
    assert url_key("https://www.taipeitimes.com/News/front/archives/2024/10/16/2003825372") == \
        "com,taipeitimes)/news/front/archives/2024/10/16/2003825372"
    assert url_key("http://127.0.0.1:45739/News/biz?pubdate=2024-10-16") == "1,0,0,127:45739)/news/biz?pubdate=2024-10-16"
    assert timestamp14("2024-10-16T03:20:05.123456Z") == "20241016032005"
    assert timestamp14("2024-10-16") == "20241016000000"


def test_sort_lines_spills_runs_merges_in_rounds_and_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cdxj, "MERGE_FAN_IN", 3)  # 10 runs: merged in rounds, never more than 3 files open
    lines = [f"key{(i * 7919) % 1000:04d} 2024 {{}}\n" for i in range(1000)] + ["key0001 2024 {}\n"] * 3
    out = list(sort_lines(lines, tmp_path, chunk=100))
    assert out == sorted(set(lines))
    assert os.listdir(tmp_path) == []


def test_sort_lines_in_memory_when_small(tmp_path: Path) -> None:
    assert list(sort_lines(["b 1 {}\n", "a 1 {}\n", "b 1 {}\n"], tmp_path)) == ["a 1 {}\n", "b 1 {}\n"]
    assert os.listdir(tmp_path) == []


def test_byte_order_not_locale_order(tmp_path: Path) -> None:
    """`LC_ALL=C sort` order: upper case before lower case, ',' before ')', a shorter key first."""
    lines = ["com,a)/x 1 {}\n", "com,a)/X 1 {}\n", "com,a)/x/y 1 {}\n", "com,a,b)/ 1 {}\n", "com,a)/x?q 1 {}\n"]
    assert [line.encode() for line in sort_lines(lines, tmp_path)] == sorted(line.encode() for line in lines)


def test_merge_keeps_order_and_drops_repeats() -> None:
    assert list(merge(["a\n", "c\n"], ["a\n", "b\n", "d\n"], [])) == ["a\n", "b\n", "c\n", "d\n"]


def test_write_atomic_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "index.cdxj"
    write_atomic(path, ["a 1 {}\n"])

    def failing():
        yield "b 1 {}\n"
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_atomic(path, failing())
    assert path.read_text() == "a 1 {}\n"
    assert sorted(os.listdir(tmp_path)) == ["index.cdxj"]


def _lines(keys: list[str]) -> list[str]:
    return [f'{key} 2024101600000{n % 10} {{"n": "{n}"}}\n' for n, key in enumerate(keys)]


@pytest.fixture(params=[16, 64, SortedCdxj.BLOCK])
def block(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Small blocks make even a small index many blocks, so the binary search itself is tested."""
    monkeypatch.setattr(SortedCdxj, "BLOCK", request.param)
    return int(request.param)


def test_lookup_finds_every_line_of_a_key_and_no_other(tmp_path: Path, block: int) -> None:
    keys = ["com,a)/x", "com,a)/x", "com,a)/x/y", "com,a)/x?q", "com,a)/w", "com,a)/xz", "com,a,b)/x", "com,a)/x"]
    path = tmp_path / "i.cdxj"
    write_atomic(path, sort_lines(_lines(keys), tmp_path))
    with SortedCdxj(path) as index:
        assert len(index.lookup("com,a)/x")) == 3
        assert [line.urlkey for line in index.lookup("com,a)/x/y")] == ["com,a)/x/y"]
        assert index.lookup("com,a)/") == [] and index.lookup("com,a)/v") == [] and index.lookup("zzz") == []
        assert len(index.lookup("com,a)/w")) == 1 and len(index.lookup("com,a,b)/x")) == 1  # first and last line


def test_lookup_in_an_empty_index(tmp_path: Path) -> None:
    path = tmp_path / "i.cdxj"
    path.write_text("")
    with SortedCdxj(path) as index:
        assert index.lookup("com,a)/x") == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # `block` is fixed
@given(st.lists(st.text(alphabet="ab,)/?x:1", min_size=1, max_size=6), min_size=0, max_size=60),
       st.text(alphabet="ab,)/?x:1", min_size=1, max_size=6))
def test_lookup_equals_a_linear_scan(tmp_path_factory: pytest.TempPathFactory, block: int, keys: list[str],
                                    probe: str) -> None:
    work = tmp_path_factory.mktemp("lookup")
    path = work / "i.cdxj"
    lines = list(sort_lines(_lines(keys), work, chunk=7))
    write_atomic(path, lines)
    with SortedCdxj(path) as index:
        for key in {*keys, probe}:
            assert [line.text for line in index.lookup(key)] == [text for text in lines if text.startswith(key + " ")]
