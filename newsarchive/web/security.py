"""Who may read the archive through the web app, and what a browser may do with its pages.

The app serves an archive, often one that is not public yet, so:

* **Where it listens.** The loopback address by default; any other address
  serves the network, and then a token is required (`bind_allowed`).
* **The token**, when there is one, is checked on every request, in constant
  time: an `Authorization: Bearer` header (scripts), or a cookie a browser
  gets by opening any page once with `?token=...` (the app answers with a
  redirect to the same page without it, so the token does not stay in the
  address bar, the history or a Referer).
* **Without a token on the loopback**, requests must name a loopback host
  (`Host: 127.0.0.1:8000`, `localhost`): a web page elsewhere that points a
  name of its own at 127.0.0.1 (DNS rebinding) cannot read the archive
  through the reader's browser.
* **Every response** says what a browser may do: scripts, styles and images
  only from the app itself and no inline script (the text of an archived
  article can never run); frames only from the app (its chart) and, when one
  is named, the replay server's origin (another origin, so a replayed page
  never runs in the app's); no framing of the app by other sites, no
  sniffing, no Referer sent to other sites, no indexing by search engines.
* **Read-only**: only GET and HEAD are served.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from newsarchive.errors import InvalidArgument

TOKEN_ENV = "NEWSARCHIVE_TOKEN"
COOKIE = "newsarchive_token"
TOKEN_PARAM = "token"
LOOPBACK_NAMES = ("localhost",)
#: served without the token: the stylesheet, so that even the page asking for the token is readable
PUBLIC = "/static/"
#: long enough that guessing is hopeless
MIN_TOKEN_LENGTH = 16
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/=-]+")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · Taipei Times archive</title>
<link rel="stylesheet" href="/static/style.css"></head><body>
<header class="masthead"><div class="inner"><span class="brand">Taipei Times <span>archive</span></span></div></header>
<main>{main}</main></body></html>"""
#: the page a browser without the token gets: a form that sends it once as ?token= (no script needed)
ASK_FOR_TOKEN = _PAGE.format(title="Token needed", main="""<h1>This reading room asks for a token</h1>
<p>Whoever runs it has the token (<code>newsarchive serve --token</code>). Your browser keeps it in a cookie.</p>
<form class="inline" method="get"><label>Token <input type="password" name="token" autocomplete="off" autofocus>
</label><button type="submit">Enter</button></form>
<p class="muted">Scripts send it as <code>Authorization: Bearer TOKEN</code>.</p>""")
REFUSED = _PAGE.format(title="{status}", main="<h1>{status}</h1><p class=\"error\">{message}</p>")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost`; any other name or address may be reachable from elsewhere."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def bind_allowed(host: str, token: str | None) -> None:
    """InvalidArgument (exit 2) for an address other than the loopback without a token, or a weak token.

    The token travels in a cookie and a header, so it is limited to characters both carry as they are."""
    if token is not None and (len(token) < MIN_TOKEN_LENGTH or not _TOKEN_CHARS.fullmatch(token)):
        raise InvalidArgument(f"--token: at least {MIN_TOKEN_LENGTH} letters, digits or ._~+/=- "
                              "(e.g. `openssl rand -hex 16`)")
    if not is_loopback(host) and not token:
        raise InvalidArgument(f"--host {host} serves the network: give --token (or ${TOKEN_ENV}) so that only "
                              "readers who have it get in")


def content_security_policy(frame_origin: str | None) -> str:
    """No inline script or style, nothing from elsewhere; frames only from the app and the replay server's origin."""
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'self'",  # the search page's chart: an SVG document of the app's own, with tooltips
        "connect-src 'self'",
        # the chart's <object> is a nested document of the app's own; the replay server's frames come from its origin
        f"frame-src 'self' {frame_origin}" if frame_origin else "frame-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'self'",  # the search page embeds its chart (an SVG document) and nothing else may
    ])


@dataclass(frozen=True)
class Guard:
    """What every request is checked against; see the module docstring."""

    token: str | None
    loopback_only: bool  # bound to the loopback: Host must be a loopback name too
    frame_origin: str | None = None

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"content-security-policy", content_security_policy(self.frame_origin).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"SAMEORIGIN"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (b"x-robots-tag", b"noindex, nofollow"),  # an archive on a network is not for search engines
        ]

    def token_matches(self, offered: str | None) -> bool:
        if self.token is None:
            return True
        return offered is not None and hmac.compare_digest(offered.encode(), self.token.encode())


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _bearer(scope: Scope) -> str | None:
    value = _header(scope, b"authorization")
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


def _cookie(scope: Scope) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 - a malformed Cookie header is no token
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


def _host_name(scope: Scope) -> str:
    host = _header(scope, b"host") or ""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class GuardMiddleware:
    """Pure ASGI (no buffering of streamed downloads): method, host and token checks, then security headers."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await self._refuse(scope, send, 405, "the reading room is read-only: only GET and HEAD",
                               [(b"allow", b"GET, HEAD")])
            return
        if self.guard.loopback_only and not is_loopback(_host_name(scope)):
            await self._refuse(scope, send, 421, "this server answers only to a loopback name (127.0.0.1, localhost)")
            return
        if self.guard.token is not None and not scope["path"].startswith(PUBLIC):
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            offered = dict(query).get(TOKEN_PARAM)
            if offered is not None and self.guard.token_matches(offered):
                await self._login(scope, send, query)
                return
            if not (self.guard.token_matches(_bearer(scope)) or self.guard.token_matches(_cookie(scope))):
                await self._refuse(scope, send, 401, "a token is needed: open any page once with ?token=..., "
                                                     "or send 'Authorization: Bearer ...'",
                                   [(b"www-authenticate", b'Bearer realm="newsarchive"')])
                return
        headers = self.guard.headers()
        head = scope["method"] == "HEAD"  # answered as GET without the body (FastAPI's routes know GET only)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {bytes(k).lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in headers if h[0] not in present]
            elif head and message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"} if head else scope, receive, send_with_headers)

    async def _login(self, scope: Scope, send: Send, query: list[tuple[str, str]]) -> None:
        """The token in the address: set the cookie, then send the browser to the same page without it."""
        rest = urlencode([(k, v) for k, v in query if k != TOKEN_PARAM])
        location = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
        cookie = f"{COOKIE}={self.guard.token}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", location.encode("latin-1", "replace")), (b"set-cookie", cookie.encode()),
            (b"cache-control", b"no-store"), (b"content-length", b"0"), *self.guard.headers()]})
        await send({"type": "http.response.body", "body": b""})

    async def _refuse(self, scope: Scope, send: Send, status: int, message: str,
                      extra: list[tuple[bytes, bytes]] | None = None) -> None:
        """JSON for the API, a line of HTML for a person (the message is ours: nothing to escape)."""
        if scope["path"].startswith("/api"):
            body, kind = json.dumps({"error": status, "message": message}).encode(), b"application/json"
        else:
            body = (ASK_FOR_TOKEN if status == 401 else REFUSED.format(status=status, message=message)).encode()
            kind = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", kind), (b"content-length", str(len(body)).encode()),
            *(extra or []), *self.guard.headers()]})
        await send({"type": "http.response.body", "body": body if scope["method"] != "HEAD" else b""})
