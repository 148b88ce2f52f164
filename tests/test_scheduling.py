"""The README's Scheduling section as an operator would use it: its backfill script and crontab line run, its units verified.

The snippets are cut from the document itself, so the document cannot drift
from what is tested. Only what points at the real site or real paths is
changed: the paths go to a temporary folder, the crawl to the local site.
"""

from __future__ import annotations

import configparser
import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from newsarchive.archive.lock import StoreLock
from newsarchive.store import open_store
from tests.plugins.scrapyd import BIN, REPO, clean_env
from tests.site.faults import Fault
from tests.site.server import SiteServer
from tests.support.archive_contents import records
from tests.support.expected_archive import assert_archived, run_reports

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DOC = REPO / "README.md"
UNITS = REPO / "docs" / "systemd"
#: where the document installs things, and the sections the crawls here are limited to
DOC_VENV_BIN = "/opt/newsarchive/.venv/bin"
DOC_DATA = "/var/lib/newsarchive"
SECTIONS = ["front", "world"]


def snippet(name: str) -> str:
    """The fenced block right after `<!-- test:NAME -->` in the README."""
    match = re.search(rf"<!-- test:{name} -->\s*```[\w-]*\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, f"no <!-- test:{name} --> block in {DOC}"
    return match.group(1)


def shell_env(**extra: str) -> dict[str, str]:
    """The environment of a scheduled job: the venv's bin first on PATH, as the document sets it."""
    return clean_env(PATH=f"{BIN}:/usr/local/bin:/usr/bin:/bin", **extra)


@contextmanager
def lock_held(store: Path) -> Iterator[None]:
    """The store's lock held by this (live) process, as a running crawl would hold it."""
    lock = StoreLock(open_store(str(store)), "test-holder")
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


# -- the backfill loop -------------------------------------------------------------------------------
def backfill(tmp_path: Path, site: SiteServer, store: Path, first: dt.date, last: dt.date) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "backfill.sh"
    script.write_text(snippet("backfill") + "\n")
    return subprocess.run(
        ["bash", str(script), first.isoformat(), last.isoformat(),
         "--base-url", site.base_url, "--store", str(store), "--sections", ",".join(SECTIONS)],
        env=shell_env(BACKFILL_STEP="1 day"), cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )


def slice_lines(stderr: str) -> list[str]:
    return re.findall(r"^backfill: (\S+ exit \d+)$", stderr, re.M)


def test_backfill_runs_one_crawl_per_slice(site: SiteServer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    days = site.corpus.days[-3:]
    result = backfill(tmp_path, site, store, days[0], days[-1])
    assert result.returncode == 0, result.stderr[-3000:]
    assert slice_lines(result.stderr) == [f"{d}..{d} exit 0" for d in days]
    assert_archived(store, site.corpus, days, SECTIONS)
    reports = run_reports(store)
    assert sorted(r["parameters"]["since"] for r in reports) == [d.isoformat() for d in days]


def test_backfill_goes_on_after_a_partial_slice_and_lists_it(fresh_site: SiteServer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    first, last = fresh_site.corpus.days
    # one only its own list links (a cross-listed one would come back in the next slice under another URL)
    broken = next(a for a in fresh_site.corpus.on(first, "front") if not a.cross_links)
    fresh_site.inject(broken.path(), Fault.error(404))
    result = backfill(tmp_path, fresh_site, store, first, last)
    assert result.returncode == 4, result.stderr[-3000:]
    assert slice_lines(result.stderr) == [f"{first}..{first} exit 4", f"{last}..{last} exit 0"]
    assert f"run these slices again: {first}..{first}" in result.stderr
    archived = records(store)
    assert broken.id not in archived
    assert {a.id for a in fresh_site.corpus.on(last, "front")} <= archived.keys()


def test_backfill_stops_at_a_slice_that_exits_locked(fresh_site: SiteServer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    first, last = fresh_site.corpus.days
    with lock_held(store):
        result = backfill(tmp_path, fresh_site, store, first, last)
    assert result.returncode == 7, result.stderr[-3000:]
    assert slice_lines(result.stderr) == [f"{first}..{first} exit 7"]
    assert f"continue with: backfill.sh {first} {last}" in result.stderr
    assert not records(store)


# -- the crontab line -----------------------------------------------------------------------------------
def crontab_job(tmp_path: Path, site: SiteServer) -> tuple[dict[str, str], str]:
    """(the crontab's environment lines, the job's command) with the document's paths moved to tmp_path."""
    env: dict[str, str] = {}
    command = None
    for line in snippet("crontab").splitlines():
        line = line.replace(DOC_VENV_BIN, str(BIN)).replace(DOC_DATA, str(tmp_path))
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if sep and re.fullmatch(r"[A-Z_]+", name):
            env[name] = value
            continue
        assert command is None, "one job line expected"
        command = line.split(None, 5)[5]  # after minute, hour, day of month, month, day of week
    assert command is not None and "%" not in command.replace("\\%", ""), command
    return env, command.replace("newsarchive crawl", f"newsarchive crawl --base-url {site.base_url}", 1)


def run_cron_job(tmp_path: Path, site: SiteServer) -> subprocess.CompletedProcess[str]:
    """The job as cron runs it: /bin/sh -c with the crontab's variables; cron mails stdout and stderr."""
    env, command = crontab_job(tmp_path, site)
    assert env["PATH"].split(":")[0] == str(BIN)
    return subprocess.run(["/bin/sh", "-c", command], env=clean_env(**env), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_the_cron_job_is_silent_after_a_good_run(fresh_site: SiteServer, tmp_path: Path) -> None:
    result = run_cron_job(tmp_path, fresh_site)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), result
    store = tmp_path / "archive"
    (report,) = run_reports(store)
    assert report["outcome"] == "OK"
    assert {a.id for a in fresh_site.corpus} <= records(store).keys()


def test_the_cron_job_mails_the_exit_code_and_the_log_when_locked(fresh_site: SiteServer, tmp_path: Path) -> None:
    with lock_held(tmp_path / "archive"):
        result = run_cron_job(tmp_path, fresh_site)
    mail = result.stdout + result.stderr
    assert mail.splitlines()[0] == "newsarchive crawl: exit 7", mail
    assert "lock" in mail.lower()


# -- the systemd units -------------------------------------------------------------------------------------
def units(tmp_path: Path) -> list[Path]:
    """The units, copied with ExecStart pointed at this venv (verify checks the program exists)."""
    out = []
    for unit in sorted(UNITS.glob("newsarchive-crawl.*")):
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace(DOC_VENV_BIN, str(BIN)))
        out.append(copy)
    return out


def read_unit(path: Path) -> configparser.ConfigParser:
    """A unit as INI (Environment= may repeat, so not strict; keys keep their case)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser


def test_the_systemd_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze not found (Debian's systemd package provides it)"
    paths = units(tmp_path)
    assert [p.name for p in paths] == ["newsarchive-crawl.service", "newsarchive-crawl.timer"]
    result = subprocess.run([analyze, "verify", *map(str, paths)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    on_calendar = read_unit(paths[1])["Timer"]["OnCalendar"]
    result = subprocess.run([analyze, "calendar", on_calendar], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Next elapse:" in result.stdout, result.stdout + result.stderr


def test_the_units_agree_with_the_document(tmp_path: Path) -> None:
    service, timer = (read_unit(p) for p in units(tmp_path))
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].startswith(f"{BIN}/newsarchive crawl")
    assert timer["Timer"]["Persistent"] == "true" and timer["Timer"]["RandomizedDelaySec"]
    assert timer["Timer"]["Unit"] == "newsarchive-crawl.service"
    assert timer["Install"]["WantedBy"] == "timers.target"
    # the codes the service counts as success are the ones the document's table lets a backfill go on after
    rows = re.findall(r"^\| (\d+) \| \w+ \| [^|]+ \| ([^|]+) \|$", DOC.read_text(encoding="utf-8"), re.M)
    going_on = {int(code) for code, backfill in rows if backfill.strip().startswith("next slice")}
    assert going_on == {0, 4, 11}
    assert {0, *map(int, service["Service"]["SuccessExitStatus"].split())} == going_on
    case = re.findall(r"^\s+([\d|]+)\)", snippet("backfill"), re.M)
    assert {int(c) for arm in case for c in arm.split("|")} == going_on
