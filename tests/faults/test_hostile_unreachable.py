"""A site that is not there is said so within 30 s, exit 13 (issue 12 of issue 11's list).

Before: `make crawl` with no network ended with exit 13 only after 3 min 40 s
of DNS retries (15 min with a resolver that never answers), printing "0 list
pages" every 30 s; a site that accepts connections and never answers took
203 s on the loopback (every start request retried with backoff). Cases
without a network run in a network namespace of their own (`unshare -n`: only
a loopback, so nothing can leave the machine): no network at all, and a
resolver that never answers.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import run_measured
from tests.faults.hostile import BlackHole, closed_port_base_url
from tests.plugins.cli import REPO

pytestmark = pytest.mark.e2e

WITHIN = 30.0

#: a DNS server that never answers, on the address resolv.conf names (inside the namespace only)
DNS_SINK = """
import socket, sys, threading
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind((sys.argv[1], 53))
tcp = socket.socket(); tcp.bind((sys.argv[1], 53)); tcp.listen(64)
held = []
threading.Thread(target=lambda: [held.append(tcp.accept()) for _ in iter(int, 1)], daemon=True).start()
print("ready", flush=True)
while True:
    udp.recvfrom(4096)
"""


#: runs its arguments and says how long they took (the namespace's setup is not the crawl's time)
TIMED = """
import subprocess, sys, time
started = time.monotonic()
code = subprocess.call(sys.argv[1:])
print(f"took {time.monotonic() - started:.2f}", file=sys.stderr)
sys.exit(code)
"""


def report(store: Path) -> dict:
    (path,) = (store / "runs").glob("*.json")
    return json.loads(path.read_text())


def assert_unreachable(code: int, err: str, seconds: float, store: Path, why: str) -> None:
    assert code == Exit.SITE_UNREACHABLE, err[-3000:]
    assert seconds < WITHIN, f"{seconds:.1f} s"
    assert "Traceback" not in err and len(err) < 4_000, err[-3000:]
    assert re.search(rf"site unreachable: .*{why}", err), err[-3000:]
    done = report(store)
    assert done["outcome"] == "SITE_UNREACHABLE" and done["counts"]["responses"] == 0


def nameserver() -> str:
    found = re.search(r"^nameserver\s+([0-9.]+)", Path("/etc/resolv.conf").read_text(), re.M)
    return found[1] if found else "127.0.0.53"


def in_namespace(crawl: list[str], *, dead_dns: bool) -> tuple[int, str, float]:
    """`newsarchive crawl ...` in a new network namespace (loopback only), optionally with a resolver that
    never answers; (exit code, stderr, seconds the crawl took)."""
    assert shutil.which("unshare") and shutil.which("ip"), "unshare and ip (util-linux, iproute2) are needed"
    ns = nameserver()
    timed = (f"{sys.executable} -c {shlex.quote(TIMED)} {sys.executable} -m newsarchive crawl "
             + " ".join(shlex.quote(arg) for arg in crawl) + "; rc=$?")
    if dead_dns:
        script = (f"ip link set lo up && ip addr add {ns}/32 dev lo && "
                  f"{{ {sys.executable} -c {shlex.quote(DNS_SINK)} {ns} > /dev/null & }} && sink=$! && sleep 0.5; "
                  f"{timed}; kill $sink; exit $rc")
    else:
        script = f"ip link set lo up; {timed}; exit $rc"
    proc = subprocess.run(["unshare", "-n", "sh", "-c", script], cwd=REPO, capture_output=True, text=True,
                          timeout=180)
    took = re.findall(r"^took ([0-9.]+)$", proc.stderr, re.M)
    assert took, proc.stderr[-2000:]
    return proc.returncode, proc.stderr, float(took[-1])


def test_no_network_at_all(tmp_path: Path) -> None:
    """`make crawl` on a machine whose network is gone: the real site's name cannot be looked up."""
    store = tmp_path / "archive"
    code, err, seconds = in_namespace(["--store", str(store)], dead_dns=False)
    assert_unreachable(code, err, seconds, store, "www.taipeitimes.com does not resolve")


def test_a_resolver_that_never_answers(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    code, err, seconds = in_namespace(["--store", str(store)], dead_dns=True)
    assert_unreachable(code, err, seconds, store, "www.taipeitimes.com does not resolve")


def test_a_name_that_does_not_exist(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    code, err, seconds = in_namespace(["--store", str(store), "--base-url", "http://nonexistent.invalid"],
                                      dead_dns=False)
    assert_unreachable(code, err, seconds, store, "nonexistent.invalid does not resolve")


def test_a_closed_port(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    base = closed_port_base_url()
    result, _, seconds = run_measured(["crawl", "--base-url", base, "--store", str(store)])
    assert_unreachable(result.code, result.err, seconds, store, "does not accept connections")


def test_a_site_that_accepts_connections_and_never_answers(tmp_path: Path) -> None:
    store = tmp_path / "archive"
    with BlackHole() as hole:
        result, _, seconds = run_measured(["crawl", "--base-url", hole.base_url, "--store", str(store)])
        assert hole.connections >= 1
    assert_unreachable(result.code, result.err, seconds, store, "got no answer and none did")
