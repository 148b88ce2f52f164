"""`newsarchive serve`: the reading room, a web app over the store, until Ctrl-C.

The address is checked before anything else is done: an address other than
the loopback without a token is refused in one line (exit 2). The socket is
bound here, before the index is brought up to date and uvicorn starts, so a
port already taken fails at once, and the line that names the URL (stdout,
flushed: scripts and `make demo` wait for it) always names the real port,
also with `--port 0`.
"""

from __future__ import annotations

import socket
import sys

import click

from newsarchive.cli.options import open_existing, store_options
from newsarchive.errors import InvalidArgument, UserError
from newsarchive.exitcodes import Exit, help_text
from newsarchive.web.security import TOKEN_ENV, bind_allowed, is_loopback


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; InvalidArgument (exit 2) if the address cannot be had."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InvalidArgument(f"--host {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise InvalidArgument(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


@click.command(epilog=help_text())
@store_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but the loopback serves the network and needs --token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free one; the line printed names it).")
@click.option("--token", envvar=TOKEN_ENV, metavar="TOKEN",
              help=f"Readers must present it (default ${TOKEN_ENV}): once as ?token=... in a browser (a cookie "
                   "keeps it), or as 'Authorization: Bearer TOKEN'.")
def serve(store: str | None, s3_endpoint_url: str | None, host: str, port: int, token: str | None) -> Exit:
    """The reading room: search, read, chart and cite the archive in a browser.

    \b
    /                  search (the query language of `newsarchive search`), the attention chart, downloads
    /articles/ID       an article, its photos, revisions, provenance and citation
    /coverage          listed against archived, per print day and section
    /runs              the crawl history
    /api               the JSON API (OpenAPI at /api/openapi.json)

    Read-only. Listens on 127.0.0.1 unless --host says otherwise; any other
    address needs --token.

    \b
      newsarchive serve --store ./archive
      NEWSARCHIVE_TOKEN=$(openssl rand -hex 16) newsarchive serve --host 0.0.0.0 --port 8080
    """
    import uvicorn

    from newsarchive.web.app import ServeConfig, create_app

    token = token or None
    bind_allowed(host, token)
    with open_existing(store, s3_endpoint_url) as st:
        sock = bind(host, port)  # a port already taken fails now, not after the index is brought up to date
        app = create_app(ServeConfig(st, token=token, loopback_only=is_loopback(host) and token is None))
        click.echo(f"bringing the search index of {st.uri} up to date ...", err=True)
        try:
            app.state.corpus.refresh()
        except UserError as exc:  # e.g. no records yet: the runs and coverage pages still have something to say
            click.echo(f"newsarchive: {exc}; serving anyway", err=True)
        url = url_of(sock, host)
        click.echo(f"reading room for {st.uri} at {url}{f'?token={token}' if token else ''} (Ctrl-C to stop)")
        sys.stdout.flush()  # a parent process waits for this line
        server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=True, server_header=False,
                                               timeout_graceful_shutdown=5))
        server.run(sockets=[sock])
    click.echo("reading room stopped", err=True)
    return Exit.OK
