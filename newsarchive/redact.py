"""Credentials out of URIs, before a URI reaches a report, a log line, an error, a folder name or WARC.

Store URIs, mirror base URLs and Redis URLs may carry `user:password@`; what
the archive writes about them keeps the scheme, host, port and path, never
the credentials.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def redact_uri(uri: str) -> str:
    """`uri` without any user:password part; host and port kept. An unparseable URI is cut at its '@'."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        scheme, sep, rest = uri.partition("://")
        return f"{scheme}{sep}{rest.rsplit('@', 1)[-1]}" if "@" in rest else uri
    if not (parts.username or parts.password or "@" in parts.netloc):
        return uri
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return parts._replace(netloc=netloc).geturl()
