"""A real Scrapyd on the loopback, and a copy of the checkout to build eggs and wheels from.

Scrapyd runs in its own process group with every directory in a temporary
folder, so stopping it also stops any crawl it spawned and leaves nothing
behind. Its jobs run with this venv's Python (Scrapyd spawns `sys.executable`),
which is what a deployment with Scrapyd and newsarchive's dependencies in one
venv looks like.

Build tools (`setup.py bdist_egg`, `pip wheel`) write build/ and *.egg-info
into the project folder; they run in `project_copy`, never in the checkout
that other work shares.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsarchive.dates import TODAY_ENV
from tests.plugins.process import free_port

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: Scrapyd's job states, in order; "finished" is the only terminal one
JOB_STATES = ("pending", "running", "finished")
#: what a copy of the checkout leaves out: VCS, venv, build output, caches, a local archive
_NOT_COPIED_ANYWHERE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                              ".pytest_cache", ".hypothesis", "*.pyc")


def _NOT_COPIED(folder: str, names: list[str]) -> set[str]:
    """Build output and caches anywhere; `./archive`, the default store, only at the top (newsarchive/archive is code)."""
    ignored = set(_NOT_COPIED_ANYWHERE(folder, names))
    if Path(folder) == REPO:
        ignored |= {"archive"} & set(names)
    return ignored


def copy_project(dest: Path) -> Path:
    """The checkout as it is now (uncommitted edits included), without VCS, venv and build output."""
    shutil.copytree(REPO, dest, ignore=_NOT_COPIED)
    return dest


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would steer a crawl or a Scrapy project from outside.

    A job must get its store and base URL from what it was scheduled with, and
    its settings module from the egg, or the test proves nothing.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEWSARCHIVE_", "SCRAPY_")) and k not in ("PYTHONPATH", "AWS_ENDPOINT_URL")}
    if TODAY_ENV in os.environ:  # the suite's pinned day is its clock, not a setting of the crawl
        env[TODAY_ENV] = os.environ[TODAY_ENV]
    env.update(extra)
    return env


class ScrapydError(AssertionError):
    """Scrapyd answered with an error status, or a job did not end in time."""


@dataclass
class Scrapyd:
    root: Path
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def log(self) -> Path:
        return self.root / "scrapyd.log"

    # -- lifecycle ------------------------------------------------------------------------
    def write_config(self) -> Path:
        """Everything Scrapyd keeps goes under root; it polls its queue often so tests do not wait.

        items_dir stays empty (Scrapyd's default), as the README's Scheduling section says: the
        store is the archive, and the items carry raw page bytes a JSON feed cannot write.
        """
        for name in ("eggs", "logs", "dbs"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        conf = self.root / "scrapyd.conf"
        conf.write_text(
            "[scrapyd]\n"
            "bind_address = 127.0.0.1\n"
            f"http_port = {self.port}\n"
            f"eggs_dir = {self.root / 'eggs'}\n"
            f"logs_dir = {self.root / 'logs'}\n"
            f"dbs_dir = {self.root / 'dbs'}\n"
            "items_dir =\n"
            "jobs_to_keep = 5\n"
            "poll_interval = 0.2\n"
            "max_proc = 2\n"
        )
        return conf

    def start(self, timeout: float = 30) -> Scrapyd:
        """Start Scrapyd (cwd = root, where it finds scrapyd.conf) and wait until its API answers."""
        self.write_config()
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "scrapyd"), "--pidfile=", f"--logfile={self.log}"],
                cwd=self.root, env=clean_env(), stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ScrapydError(f"scrapyd exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if self.get("daemonstatus.json").get("status") == "ok":
                    return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise ScrapydError(f"scrapyd did not answer within {timeout}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM to the whole group (Scrapyd and its crawls), SIGKILL to whatever outlives it."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and _group_alive(pgid):
                self.proc.poll()  # reap Scrapyd itself, so its zombie does not keep the group "alive"
                time.sleep(0.05)
        self.proc.wait(timeout=5)
        self.proc = None

    # -- the HTTP API -----------------------------------------------------------------------
    def _call(self, request: urllib.request.Request) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise ScrapydError(f"{request.full_url}: HTTP {exc.code}: {exc.read()[:2000]!r}") from None
        if answer.get("status") != "ok":
            raise ScrapydError(f"{request.full_url}: {answer}")
        return answer

    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self._call(urllib.request.Request(self.url + endpoint + query))

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
        """POST form fields; a list, because schedule.json takes `setting` more than once."""
        body = urllib.parse.urlencode(fields).encode()
        return self._call(urllib.request.Request(self.url + endpoint, data=body, method="POST"))

    def schedule(self, project: str, spider: str, settings: dict[str, str], **args: str) -> str:
        """schedule.json: `setting=NAME=VALUE` become `-s`, every other field a spider argument (`-a`)."""
        fields = [("project", project), ("spider", spider)]
        fields += [("setting", f"{name}={value}") for name, value in settings.items()]
        fields += list(args.items())
        return str(self.post("schedule.json", fields)["jobid"])

    def wait(self, project: str, job: str, timeout: float = 60) -> None:
        """Until status.json says the job finished (Scrapyd keeps no exit code: read the job's log)."""
        deadline = time.monotonic() + timeout
        state = "unknown"
        while time.monotonic() < deadline:
            state = self.get("status.json", project=project, job=job)["currstate"]
            if state == "finished":
                return
            time.sleep(0.2)
        raise ScrapydError(f"job {job} still {state} after {timeout}s:\n{self.job_log(project, 'taipeitimes', job)}")

    def job_log(self, project: str, spider: str, job: str) -> str:
        path = self.root / "logs" / project / spider / f"{job}.log"
        return path.read_text(errors="replace") if path.exists() else f"(no log at {path})"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="session")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout for tools that write into the project folder (eggs, wheels)."""
    return copy_project(tmp_path_factory.mktemp("project") / "newsarchive")


@pytest.fixture(scope="session")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    server = Scrapyd(tmp_path_factory.mktemp("scrapyd"), free_port()).start()
    try:
        yield server
    finally:
        pgid = server.proc.pid if server.proc else None
        server.stop()
        assert pgid is None or not _group_alive(pgid), "Scrapyd left processes behind"
