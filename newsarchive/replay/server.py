"""Starting and stopping pywb for one store: the Python API behind `newsarchive replay`.

    from newsarchive.replay.server import ReplayServer
    with ReplayServer(store, port=0) as server:        # port 0: a free one
        print(server.base_url)                          # http://127.0.0.1:PORT
        replay_url(record, server.base_url)             # newsarchive.archive.replay

`prepare()` brings the store's replay index up to date, makes the replay
environment if it is missing and writes pywb's config.yaml; `start()` starts
pywb (newsarchive/replay/pywb_app.py) in that environment and waits until it
answers; `refresh()` picks up new WARCs while it runs; `stop()` ends it (SIGTERM,
then SIGKILL after 10 s) and waits for it. pywb runs in a session of its own,
so a Ctrl-C meant for `newsarchive replay` reaches it only through `stop()`,
and it watches its parent, so it never outlives the process that started it.

Everything lives in the store's replay folder (`<cache>/replay/<store hash>/`):
index.cdxj and indexed.json (newsarchive.replay.index), config.yaml,
pywb.log, and server.json while a server runs (what `newsarchive show` reads
to print links to the running server).

Nothing is copied: `archive_paths` is the store's root (`/srv/archive/` or
`s3://bucket/prefix/`) and the index names WARCs by their keys under it. For S3,
pywb reads byte ranges through boto3 with the credentials and
`AWS_ENDPOINT_URL` of this process's environment.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from newsarchive.archive.replay import COLLECTION, DEFAULT_PORT, REPLAY_URL_ENV
from newsarchive.errors import NoRecords, ReplayFailed
from newsarchive.processes import pid_alive
from newsarchive.replay.env import ReplayEnv
from newsarchive.replay.index import IndexUpdate, ReplayIndex
from newsarchive.store import LocalStore, Store
from newsarchive.tools.progress import Progress

APP = Path(__file__).with_name("pywb_app.py")
START_TIMEOUT = 90.0  # pywb starts in under a second; a loaded machine may take many
STOP_TIMEOUT = 10.0
STATE_FILE = "server.json"


def archive_paths(store: Store) -> str:
    """The prefix pywb puts before an index line's `filename` (a store key) to find the WARC."""
    if isinstance(store, LocalStore):
        return store.root.as_posix().rstrip("/") + "/"
    from newsarchive.store.s3 import S3Store  # boto3 loads only for S3 stores

    if isinstance(store, S3Store):
        return f"s3://{store.bucket}/{store.prefix}/" if store.prefix else f"s3://{store.bucket}/"
    raise ReplayFailed(f"store {store.uri}: replay reads local folders and S3 only")


def config_yaml(index: Path, paths: str) -> str:
    """pywb's config: one collection, the store's index, WARCs read where they lie, no frame around pages."""
    return (f"# written by newsarchive replay; rewritten at every start\n"
            f"collections:\n  {COLLECTION}:\n    index: {json.dumps(str(index))}\n"
            f"    archive_paths: {json.dumps(paths)}\n"
            f"framed_replay: false\n")


def running_url(store: Store) -> str | None:
    """The base URL of a replay server running now for this store (from its server.json), if any."""
    state = ReplayIndex(store).dir / STATE_FILE
    try:
        info = json.loads(state.read_text())
    except (OSError, ValueError):
        return None
    return str(info["url"]) if isinstance(info.get("pid"), int) and pid_alive(info["pid"]) else None


def replay_base(store: Store) -> str:
    """Where links to this store's captures should point: $NEWSARCHIVE_REPLAY_URL, else the server running for
    the store, else the default `newsarchive replay` serves."""
    return os.environ.get(REPLAY_URL_ENV) or running_url(store) or f"http://127.0.0.1:{DEFAULT_PORT}"


class ReplayServer:
    def __init__(self, store: Store, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 env: ReplayEnv | None = None, s3_endpoint_url: str | None = None) -> None:
        self.store = store
        self.host, self.port = host, port
        self.env = env or ReplayEnv()
        self.index = ReplayIndex(store)
        self.s3_endpoint_url = s3_endpoint_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.index.dir / "pywb.log"

    # -- where ------------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def collection_url(self) -> str:
        return f"{self.base_url}/{COLLECTION}/"

    # -- life -------------------------------------------------------------------------------------------------
    def prepare(self, progress: Progress | None = None, *, say: Callable[[str], object] = print) -> IndexUpdate:
        """Index, environment and config, everything short of starting; returns what the index update did.
        NoRecords if the store holds no capture (then nothing is installed)."""
        update = self.index.update(progress)
        if update.lines == 0:
            raise NoRecords(f"store {self.store.uri}: no capture to replay (no WARC file with its CDXJ index)")
        self.env.ensure(say=say)
        (self.index.dir / "config.yaml").write_text(config_yaml(self.index.path, archive_paths(self.store)))
        return update

    def refresh(self, progress: Progress | None = None) -> IndexUpdate:
        """Index WARCs written since: the running pywb reads the new index at its next query."""
        return self.index.update(progress)

    def start(self, timeout: float = START_TIMEOUT) -> str:
        """Start pywb (after `prepare`); returns the base URL once it answers. ReplayFailed if it cannot."""
        if not (self.index.dir / "config.yaml").exists():
            self.prepare()
        ready = self.index.dir / f"ready-{os.getpid()}.json"
        ready.unlink(missing_ok=True)
        env = dict(os.environ)
        if self.s3_endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.s3_endpoint_url
        args = [str(self.env.python), "-I", str(APP), "--dir", str(self.index.dir), "--host", self.host,
                "--port", str(self.port), "--ready", str(ready), "--parent", str(os.getpid())]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         env=env, start_new_session=True)
        try:
            self.port = self._wait_ready(ready, timeout)
            self._wait_answering(timeout)
        except BaseException:
            self.stop()
            raise
        finally:
            ready.unlink(missing_ok=True)
        (self.index.dir / STATE_FILE).write_text(json.dumps({"url": self.base_url, "pid": self.proc.pid}))
        return self.base_url

    def _failed(self, why: str) -> ReplayFailed:
        return ReplayFailed(f"replay server (pywb) {why}; its log: {self.log_path}")

    def _wait_ready(self, ready: Path, timeout: float) -> int:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if self.proc.poll() is not None:
                raise self._failed(f"exited with code {self.proc.returncode} before it listened")
            if time.monotonic() > deadline:
                raise self._failed(f"did not start within {timeout:.0f} s")
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        if "error" in info:
            hint = "; choose another with --port" if info.get("errno") == 98 else ""
            raise ReplayFailed(f"replay server: {info['error']}{hint}")
        return int(info["port"])

    def _wait_answering(self, timeout: float) -> None:
        """Listening is not serving: wait for pywb's first answer (a collection's page) before saying it runs."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.collection_url, timeout=10) as response:
                    response.read()
                return
            except (urllib.error.URLError, OSError) as exc:
                if self.proc.poll() is not None:
                    raise self._failed(f"exited with code {self.proc.returncode}") from None
                if time.monotonic() > deadline:
                    raise self._failed(f"does not answer ({exc})") from None
                time.sleep(0.1)

    def wait(self, timeout: float | None = None) -> int | None:
        """pywb's exit code once it ends, or None if it still runs after `timeout` seconds."""
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """SIGTERM, wait, SIGKILL the whole group if it hangs; forget the running state."""
        proc, self.proc = self.proc, None
        (self.index.dir / STATE_FILE).unlink(missing_ok=True)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()

    def __enter__(self) -> ReplayServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
