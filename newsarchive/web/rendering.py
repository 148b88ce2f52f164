"""The Jinja2 environment of the pages: every value escaped, a few filters for dates, numbers and links.

Autoescaping is on for every template, whatever its name: a record's text
(a headline such as `<img src=x onerror=alert(1)>`) always reaches the
browser as text. Nothing from a record is ever marked safe, except a
citation, which newsarchive.search.cite escapes itself before it adds its
italics.
A field a record lacks (records of older schemas) renders as nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from newsarchive import __version__
from newsarchive.site.urls import SECTIONS, section_name

TEMPLATES = Path(__file__).parent / "templates"

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
    trim_blocks=True, lstrip_blocks=True,
)


def number(value: Any) -> str:
    """12,345"""
    return f"{value:,}" if isinstance(value, int) else str(value)


def long_date(value: Any) -> str:
    """2024-10-02 -> 2 October 2024 (anything else as it is)."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    return f"{day.day} {day:%B %Y}"


def moment(value: Any) -> str:
    """An ISO 8601 instant as `2024-10-02 03:20:05 UTC`."""
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "")
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
        return f"{when:%Y-%m-%d %H:%M:%S} UTC"
    return f"{when:%Y-%m-%d %H:%M:%S}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def with_query(path: str, params: dict[str, Any]) -> str:
    """`path?a=1&b=2`, leaving out empty values; lists become repeated parameters."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if value is None or value == "" or value == () or value == []:
            continue
        pairs += [(name, str(v)) for v in value] if isinstance(value, list | tuple) else [(name, str(value))]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def marked(text: str, ranges: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """A snippet cut into (text, is a match) runs: the template marks matches, escaping both."""
    runs: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted(ranges):
        if start < pos:
            continue
        if start > pos:
            runs.append((text[pos:start], False))
        runs.append((text[start:end], True))
        pos = end
    if pos < len(text):
        runs.append((text[pos:], False))
    return runs


env.filters.update(number=number, long_date=long_date, moment=moment, duration=duration)
env.globals.update(with_query=with_query, marked=marked, SECTIONS=SECTIONS, section_name=section_name, version=__version__)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    html = env.get_template(name).render(request=request, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)
