"""Decompression bombs of every coding (issue 11, item 1): the crawl and every offline command stay small.

One crawl of a hostile site (tests/faults/hostile.py) where seven articles are
4 GiB bombs (gzip, deflate, raw deflate, br, zstd, `gzip, gzip`, `br, gzip`:
from 162 bytes to 4 MB on the wire), three section lists are 4 GiB bombs, and
one article is a 19 MiB page that needs no compression at all (a parser bomb:
the parser needs ~160x a dense page in memory). The crawl must capture each as
received, report it ("decoded size over limit"), archive everything else, and
peak under 400 MB; then reparse, coverage, verify, show, index, search and
export read that store under the same bound, and crash recovery keeps its WARC
whole. Peak memory is the kernel's high-water mark of each command (wait4).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders

from newsarchive.archive import decoding, warcread
from newsarchive.archive.recovery import OPEN_SUFFIX, whole_records_end
from newsarchive.exitcodes import Exit
from newsarchive.store.local import LocalStore
from tests.faults.conftest import Crawl, crawl, run_measured
from tests.faults.hostile import Allocations, GiB, HostileSite, MiB, bomb, header_value
from tests.plugins.cli import Result
from tests.support.archive_contents import leftovers, records

pytestmark = pytest.mark.e2e

#: the issue's bound for a whole crawl, and for each offline command on what it stored
PEAK = 400 * MiB
ALL = ("front", "taiwan", "biz", "editorials", "sport", "world", "feat", "lang")
#: article bombs: (section, index in its list) -> stack of codings
ARTICLE_BOMBS = {("world", 0): "gzip", ("world", 1): "deflate", ("world", 2): "deflate-raw", ("biz", 0): "br",
                 ("biz", 1): "zstd", ("biz", 2): "gzip, gzip", ("taiwan", 0): "br, gzip"}
#: section lists that are bombs
LIST_BOMBS = {"sport": "gzip", "feat": "br", "lang": "zstd"}
DENSE = ("taiwan", 1)


@dataclass
class BombRun:
    site: HostileSite
    store: Path
    done: Crawl
    bombed: dict[str, str]  # article id -> stack
    dense: str  # the dense article's id
    lists: dict[str, str]  # list target -> stack

    def offline(self, *args: str) -> tuple[Result, int]:
        result, peak, _ = run_measured([*args], env={"NEWSARCHIVE_CACHE": str(self.store.parent / "cache")},
                                       timeout=300)
        return result, peak


@pytest.fixture(scope="module")
def bomb_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BombRun]:
    site = HostileSite(days=1, per_section=3).start()
    try:
        bombed = {}
        for (section, n), stack in ARTICLE_BOMBS.items():
            article = site.articles(section)[n]
            site.plant_bomb(article.path(), stack, size=4 * GiB)
            bombed[article.id] = stack
        lists = {}
        for section, stack in LIST_BOMBS.items():
            site.plant_bomb(site.list_target(section), stack, size=4 * GiB)
            lists[site.list_target(section)] = stack
        dense = site.articles(DENSE[0])[DENSE[1]]
        site.plant_dense_article(dense, size=19 * MiB)
        store = tmp_path_factory.mktemp("bombs") / "archive"
        yield BombRun(site, store, crawl(site, store, sections=ALL), bombed, dense.id, lists)
    finally:
        site.stop()


def captured(store: Path) -> list[tuple[warcread.WarcRecord, StatusAndHeaders | None]]:
    """Every record of the store's WARCs with its HTTP headers, payloads as stored (warcio's own reader, and the
    suite's archive_check, would decode them: 4 GiB each, and warcio cannot decode br at all)."""
    local = LocalStore(store)
    out = []
    for info in warcread.warc_files(local):
        for rec in warcread.scan(local, info.key):
            assert isinstance(rec, warcread.WarcRecord), rec
            parsed = ArcWarcRecordLoader().parse_record_stream(io.BytesIO(rec.member))
            out.append((rec, parsed.http_headers))
    return out


def unbombed_ids(run: BombRun) -> set[str]:
    """What the crawl must archive: the articles of sections whose lists are not bombs, less the bombs."""
    reachable = {a.id for s in ALL if s not in LIST_BOMBS for a in run.site.articles(s)}
    return reachable - set(run.bombed) - {run.dense}


def test_the_crawl_stays_small_reports_each_bomb_and_archives_the_rest(bomb_run: BombRun) -> None:
    done = bomb_run.done
    assert done.code == Exit.PARTIAL, done.result
    assert done.peak_rss < PEAK, f"peak RSS {done.peak_rss / MiB:.0f} MB"
    report = done.report()
    failures = done.failures()
    for article_id, stack in bomb_run.bombed.items():
        assert failures[article_id].startswith(f"{decoding.TOO_LARGE}: more than 1,048,576 bytes "
                                               f"(Content-Encoding: {header_value(stack)}) from "), failures[article_id]
    assert failures[bomb_run.dense].startswith(f"{decoding.TOO_LARGE}: more than 1,048,576 bytes (not encoded)")
    list_failures = {f["url"]: f["reason"] for f in report["failures"] if f["kind"] == "list"}
    assert len(list_failures) == len(LIST_BOMBS)
    assert all(reason.startswith(decoding.TOO_LARGE) for reason in list_failures.values())
    assert report["counts"]["limits_hit"] == len(bomb_run.bombed) + 1 + len(LIST_BOMBS)
    assert report["layout_suspected"] == []  # a bombed list is a failure, not a layout change
    got = set(records(bomb_run.store))
    assert unbombed_ids(bomb_run) <= got  # everything else is archived (and some of the bombed lists' articles,
    assert not got & (set(bomb_run.bombed) | {bomb_run.dense})  # through links elsewhere); no bomb is a record
    assert len(done.result.err) < 20_000  # one line per failure, never a page
    assert leftovers(bomb_run.store) == []


def test_each_bomb_is_captured_as_received(bomb_run: BombRun) -> None:
    records_and_headers = captured(bomb_run.store)
    assert all(not rec.digest_problems for rec, _ in records_and_headers)
    responses = {rec.target_uri: (rec, http) for rec, http in records_and_headers if rec.type == "response"}
    for target, stack in list(bomb_run.lists.items()) + [
            (bomb_run.site.corpus[i].path(), s) for i, s in bomb_run.bombed.items()]:
        rec, http = responses[bomb_run.site.url(target)]
        assert rec.payload == bomb(stack, 4 * GiB)  # the bytes on the wire, never decoded
        assert http is not None and http.get_header("Content-Encoding") == header_value(stack)
    asked = {http.get_header("Accept-Encoding") for rec, http in records_and_headers if rec.type == "request" and http}
    assert asked == {decoding.ACCEPT_ENCODING}  # only codings whose decoding is bounded are asked for


@pytest.mark.parametrize(("command", "codes"), [
    (("reparse",), {Exit.BAD_INPUT}),  # the bombed captures have no record: tried, refused, reported
    (("coverage", "--since", "{day}", "--until", "{day}"), {Exit.GAPS_FOUND}),
    (("verify",), {Exit.OK}),
    (("show", "{kept}"), {Exit.OK}),
    (("index",), {Exit.OK}),
    (("search", "the"), {Exit.OK}),
    (("export", "--format", "jsonl", "--output", "{out}"), {Exit.OK}),
])
def test_offline_commands_read_the_bombs_with_the_same_bound(bomb_run: BombRun, tmp_path: Path,
                                                             command: tuple[str, ...], codes: set[int]) -> None:
    store = tmp_path / "archive"
    shutil.copytree(bomb_run.store, store)
    kept = sorted(unbombed_ids(bomb_run))[0]
    args = [part.format(day=bomb_run.site.day.isoformat(), kept=kept, out=tmp_path / "out.jsonl")
            for part in command]
    result, peak = BombRun(bomb_run.site, store, bomb_run.done, {}, "", {}).offline(*args, "--store", str(store))
    assert result.code in codes, result
    assert "Traceback" not in result.err and "internal error" not in result.err, result
    assert peak < PEAK, f"{command[0]}: peak RSS {peak / MiB:.0f} MB"
    if command[0] == "reparse":
        assert all(i in result.err for i in bomb_run.bombed) and decoding.TOO_LARGE in result.err, result
    if command[0] == "coverage":
        assert result.err.count("unreadable list capture") + result.out.count("unreadable list capture") \
            == len(LIST_BOMBS), result
    if command[0] == "verify":
        assert f"{len(bomb_run.bombed) + 1} archived article page(s) were refused" in result.err, result


def test_crash_recovery_keeps_a_warc_of_bombs_whole(bomb_run: BombRun, tmp_path: Path) -> None:
    """After kill -9 the next run cuts the open WARC to its last whole record: never at a bomb or a br body."""
    (warc,) = [p for p in bomb_run.store.rglob("*.warc.gz")]
    staged = tmp_path / (warc.name + OPEN_SUFFIX)
    shutil.copy(warc, staged)
    with Allocations() as held:
        end = whole_records_end(staged)
    assert end == staged.stat().st_size
    assert held.peak < 32 * MiB, held.peak
