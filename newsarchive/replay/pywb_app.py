"""pywb for newsarchive. This file runs INSIDE the replay environment, on pywb and gevent alone: it must never
import newsarchive (that environment does not have it). newsarchive.replay.server starts it as

    .venv-replay/bin/python -I pywb_app.py --dir WORKDIR --host 127.0.0.1 --port 8080 --ready FILE --parent PID

where WORKDIR holds the config.yaml newsarchive wrote. It is pywb's own replay
application (FrontEndApp, what `wayback` serves) with what `wayback` lacks:

* **Truncated captures.** A capture cut at the size limit (`WARC-Truncated:
  length`) or by a disconnect keeps the server's `Content-Length` but fewer
  bytes; pywb announces the full length, sends what it has, and the client
  waits for the rest until it times out (research, NOTES §7). Here a body
  whose length is known and under 64 MB is read whole first, and sent with the
  length it really has (plus `X-Newsarchive-Truncated: kept N of M bytes`).
  The crawl caps a response at 20 MB, so every capture qualifies; larger
  bodies of unknown length stream as pywb gives them.
* **Start and stop.** Port 0 binds a free port; the port is written to the
  ready file once the socket is bound (or the error, if it cannot be).
  SIGTERM and SIGINT stop the server cleanly, and so does the death of the
  parent process, so no pywb outlives the `newsarchive replay` that started it.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402 - gevent must patch the standard library first
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable, Iterable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

MAX_WHOLE_BODY = 64 << 20
TRUNCATED_HEADER = "X-Newsarchive-Truncated"
NO_BODY_STATUS = ("1", "204", "304")


Headers = list[tuple[str, str]]
StartResponse = Callable[..., Any]


def _declared_length(headers: Headers) -> int | None:
    for name, value in headers:
        if name.lower() == "content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class WholeBodies:
    """WSGI middleware: a response shorter than its Content-Length is sent with its real length."""

    def __init__(self, app: Callable[..., Iterable[bytes]], limit: int = MAX_WHOLE_BODY) -> None:
        self.app, self.limit = app, limit

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        held: dict[str, Any] = {}

        def hold(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            held.update(status=status, headers=list(headers), exc_info=exc_info)
            return lambda data: held.setdefault("written", []).append(data)  # write(): rarely used, still kept

        body = self.app(environ, hold)
        if "status" not in held:  # an application that starts the response lazily: leave it alone
            return self._pass(body, held, start_response)
        declared = _declared_length(held["headers"])
        if (declared is None or declared > self.limit or environ.get("REQUEST_METHOD") == "HEAD"
                or held["status"].startswith(NO_BODY_STATUS)):
            start_response(held["status"], held["headers"], held["exc_info"])
            return body
        try:
            data = b"".join([*held.get("written", []), *body])
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        headers = held["headers"]
        if len(data) != declared:
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers += [("Content-Length", str(len(data))),
                        (TRUNCATED_HEADER, f"kept {len(data)} of {declared} bytes")]
        start_response(held["status"], headers, held["exc_info"])
        return [data]

    @staticmethod
    def _pass(body: Iterable[bytes], held: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
        started = False
        try:
            for chunk in body:
                if not started and "status" in held:
                    start_response(held["status"], held["headers"], held["exc_info"])
                    started = True
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()


def _write_ready(path: str, info: dict[str, Any]) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(info, fh)
    os.replace(tmp, path)


def _watch_parent(parent: int, server: Any) -> None:
    while os.getppid() == parent:
        gevent.sleep(1.0)
    server.stop(timeout=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pywb replay of a newsarchive store")
    parser.add_argument("--dir", required=True, help="the folder with config.yaml")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--ready", required=True, help="file to write {port, pid} (or {error}) to")
    parser.add_argument("--parent", type=int, help="stop when this process is gone")
    args = parser.parse_args(argv)

    os.chdir(args.dir)  # pywb reads ./config.yaml, and looks for templates/ and static/ beside it
    from pywb.apps.frontendapp import FrontEndApp
    from pywb.utils.geventserver import RequestURIWSGIHandler

    app = WholeBodies(FrontEndApp(config_file=os.path.join(args.dir, "config.yaml")))
    server = WSGIServer((args.host, args.port), app, handler_class=RequestURIWSGIHandler)
    try:
        server.init_socket()
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        _write_ready(args.ready, {"error": f"cannot listen on {args.host}:{args.port}: {reason}", "errno": exc.errno})
        return 3
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        gevent.signal_handler(sig, server.stop, 5)
    if args.parent:
        gevent.spawn(_watch_parent, args.parent, server)
    _write_ready(args.ready, {"port": server.address[1], "pid": os.getpid()})
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
