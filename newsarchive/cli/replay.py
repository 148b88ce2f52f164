"""`newsarchive replay`: the whole store in pywb, in the foreground, until Ctrl-C or SIGTERM.

Meant to be run by hand, and as a child process of other programs (the web
app): the line announcing the server goes to stdout once it answers, and
SIGTERM stops it as cleanly as Ctrl-C (exit 0). Progress and the index summary
go to stderr.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

import click

from newsarchive.archive.replay import DEFAULT_PORT
from newsarchive.cli.options import open_existing, store_options
from newsarchive.errors import ReplayFailed
from newsarchive.exitcodes import Exit, help_text


class _Stop(Exception):
    """SIGTERM or SIGHUP arrived: stop as Ctrl-C would."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


@click.command(epilog=help_text())
@store_options
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Port to serve on (0: any free port; the line printed names it).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on. Anything but the loopback serves the archive to the network.")
@click.option("--refresh", "refresh_seconds", default=60.0, show_default=True, type=click.FloatRange(min=1),
              help="How often (seconds) to look for WARC files written since, while serving.")
def replay(store: str | None, s3_endpoint_url: str | None, port: int, host: str, refresh_seconds: float) -> Exit:
    """Serve every capture of the store in pywb, the WARC files read where they lie.

    \b
    http://HOST:PORT/taipeitimes/<14-digit time>/<URL>      a capture, with its styles and photos
    http://HOST:PORT/taipeitimes/<14-digit time>id_/<URL>   its bytes as captured
    `newsarchive show ID` prints an article's replay URL.

    The first run installs pywb in an environment of its own (.venv-replay,
    about 20 s; `make replay-venv` does the same). Runs until Ctrl-C or SIGTERM.

    \b
      newsarchive replay --store ./archive
      newsarchive replay --store s3://archive/taipeitimes --port 8090
    """
    from newsarchive.cli.progressbar import TerminalProgress
    from newsarchive.replay.server import ReplayServer

    previous: dict[signal.Signals, Any] = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with open_existing(store, s3_endpoint_url) as st:
            server = ReplayServer(st, host=host, port=port, s3_endpoint_url=s3_endpoint_url)
            with TerminalProgress() as progress:
                update = server.prepare(progress, say=lambda line: click.echo(line, err=True))
            try:
                server.start()
                click.echo(update.summary(), err=True)
                click.echo(f"replaying {st.uri} at {server.collection_url} (Ctrl-C to stop)")
                sys.stdout.flush()  # a parent process waits for this line
                while (code := server.wait(refresh_seconds)) is None:
                    server.refresh()
                raise ReplayFailed(f"replay server (pywb) stopped by itself (exit code {code}); "
                                   f"its log: {server.log_path}")
            except (KeyboardInterrupt, _Stop):
                pass
            finally:
                server.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("replay stopped", err=True)
    return Exit.OK
