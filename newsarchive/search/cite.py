"""Citations of an archived article that name the capture, not only the live URL.

A researcher cites what they read, and the live page can change or vanish:
so each citation names the article as printed (author, date, headline, the
paper, the URL) and then the archived capture it was read from: when it was
fetched, the WARC record's id and file, and the payload digest that proves
the bytes. Pure formatting of a record (no store access), shared by
`newsarchive show --cite` and the web app.

Names. The paper's bylines mix Western names ("Jason Pan") with Taiwanese
names written family name first and a hyphenated given name ("Lee I-chia").
A name whose given part is hyphenated is taken as family-first; any other as
Western. APA then gives "Lee, I.-C." and "Pan, J."; Chicago keeps a
family-first name uninverted ("Lee I-chia"), as the Chicago Manual asks for
Chinese names. A story with no person credited is cited under its agency
(AFP, CNA), else under its headline.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any

from newsarchive.errors import InvalidArgument

STYLES = ("apa", "chicago", "bibtex")
PAPER = "Taipei Times"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])|(\\)|(~)|(\^)")


@dataclass(frozen=True)
class Name:
    family: str
    given: str
    family_first: bool  # written "Lee I-chia" (Taiwanese) rather than "Jason Pan"

    @classmethod
    def parse(cls, name: str) -> Name:
        parts = name.split()
        if len(parts) < 2:
            return cls(name.strip(), "", False)
        if all("-" in p for p in parts[1:]):  # "Lee I-chia", "Tsai Ing-wen"; not "Jean-Paul Sartre"
            return cls(parts[0], " ".join(parts[1:]), True)
        return cls(parts[-1], " ".join(parts[:-1]), False)

    def initials(self) -> str:
        """APA initials: "I-chia" -> "I.-C.", "Mary Ann" -> "M. A."."""
        return " ".join("-".join(f"{piece[0].upper()}." for piece in word.split("-") if piece)
                        for word in self.given.split())

    def apa(self) -> str:
        return f"{self.family}, {self.initials()}" if self.given else self.family

    def chicago(self, first: bool) -> str:
        if not self.given:
            return self.family
        if self.family_first:
            return f"{self.family} {self.given}"
        return f"{self.family}, {self.given}" if first else f"{self.given} {self.family}"

    def bibtex(self) -> str:
        return f"{self.family}, {self.given}" if self.given else "{" + self.family + "}"


@dataclass(frozen=True)
class Capture:
    """Where the article's bytes were archived (the record's `capture` and `fetched_at`)."""

    warc: str
    record_id: str
    digest: str
    fetched_at: dt.datetime | None

    @classmethod
    def of(cls, record: dict[str, Any]) -> Capture | None:
        capture = record.get("capture")
        if not isinstance(capture, dict) or not capture.get("warc"):
            return None
        try:
            fetched = dt.datetime.fromisoformat(str(record.get("fetched_at")).replace("Z", "+00:00"))
        except ValueError:
            fetched = None
        return cls(str(capture.get("warc")), str(capture.get("record_id") or ""),
                   str(capture.get("payload_digest") or ""), fetched.astimezone(dt.UTC) if fetched else None)

    def stamp(self) -> str:
        return f"{self.fetched_at:%Y-%m-%dT%H:%M:%SZ}" if self.fetched_at else "at an unrecorded time"

    def sentence(self) -> str:
        return (f"Archived capture: WARC record {self.record_id} in {self.warc}, captured {self.stamp()}, "
                f"payload digest {self.digest}.")


def _names(record: dict[str, Any]) -> list[str]:
    authors = [a for a in record.get("authors") or () if isinstance(a, str) and a.strip()]
    return authors or [a for a in record.get("agencies") or () if isinstance(a, str) and a.strip()]


def _day(record: dict[str, Any]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(record.get("published")))
    except ValueError:
        return None


def _end(text: str) -> str:
    """A sentence ends with one full stop (a headline may end with ? or !)."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _apa_authors(names: list[Name]) -> str:
    formatted = [n.apa() for n in names]
    if len(formatted) == 1:
        return formatted[0]
    return ", ".join(formatted[:-1]) + ", & " + formatted[-1]


def apa(record: dict[str, Any], italic: tuple[str, str] = ("", "")) -> str:
    """APA 7, newspaper article online, then the capture."""
    day = _day(record)
    when = f"({day.year}, {_MONTHS[day.month - 1]} {day.day})" if day else "(n.d.)"
    title = _end(str(record.get("headline") or "Untitled"))
    names = [Name.parse(n) for n in _names(record)]
    paper = f"{italic[0]}{PAPER}{italic[1]}."
    if names:
        head = f"{_end(_apa_authors(names))} {when}. {title}"
    else:
        head = f"{title} {when}."
    return " ".join(part for part in (head, paper, record.get("url") or "", _capture_sentence(record)) if part)


def chicago(record: dict[str, Any], italic: tuple[str, str] = ("", "")) -> str:
    """Chicago 17, bibliography entry for a newspaper article online, then the capture."""
    day = _day(record)
    when = f"{_MONTHS[day.month - 1]} {day.day}, {day.year}" if day else "n.d."
    title = str(record.get("headline") or "Untitled")
    quoted = f"“{title}”" if title.endswith((".", "?", "!")) else f"“{title}.”"
    names = [Name.parse(n) for n in _names(record)]
    if names:
        written = [n.chicago(i == 0) for i, n in enumerate(names)]
        authors = written[0] if len(written) == 1 else (
            f"{written[0]} and {written[1]}" if len(written) == 2 else ", ".join(written[:-1]) + ", and " + written[-1])
        head = f"{_end(authors)} {quoted}"
    else:
        head = quoted
    url = f" {record['url']}." if record.get("url") else ""
    return " ".join(p for p in (f"{head} {italic[0]}{PAPER}{italic[1]}, {when}.{url}", _capture_sentence(record)) if p)


def _capture_sentence(record: dict[str, Any]) -> str:
    capture = Capture.of(record)
    return capture.sentence() if capture else ""


def _bibtex_escape(text: str) -> str:
    def escape(m: re.Match[str]) -> str:
        if m.group(1):
            return "\\" + m.group(1)
        if m.group(2):
            return "\\textbackslash{}"
        return "\\textasciitilde{}" if m.group(3) else "\\textasciicircum{}"
    return _BIBTEX_SPECIAL.sub(escape, text)


def bibtex(record: dict[str, Any]) -> str:
    """A BibTeX @article (biblatex's `date` and `urldate` too), the capture in `note`."""
    day = _day(record)
    fields: list[tuple[str, str]] = []
    names = [Name.parse(n) for n in _names(record)]
    if names:
        fields.append(("author", " and ".join(_bibtex_escape(n.bibtex()) if n.given else "{" + _bibtex_escape(n.family)
                                              + "}" for n in names)))
    fields.append(("title", "{" + _bibtex_escape(str(record.get("headline") or "Untitled")) + "}"))
    fields.append(("journal", PAPER))
    if day:
        fields += [("date", day.isoformat()), ("year", str(day.year)), ("month", str(day.month))]
    if record.get("url"):
        fields.append(("url", str(record["url"])))
    capture = Capture.of(record)
    if capture:
        if capture.fetched_at:
            fields.append(("urldate", f"{capture.fetched_at:%Y-%m-%d}"))
        fields.append(("note", _bibtex_escape(capture.sentence())))
    key = f"taipeitimes-{record.get('id') or 'article'}"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@article{{{key},\n{body}\n}}"


def cite(record: dict[str, Any], style: str, *, markup: str = "text") -> str:
    """The citation in `style` (apa, chicago, bibtex); `markup="html"` escapes it and italicises the paper."""
    if style not in STYLES:
        raise InvalidArgument(f"--cite: {style!r} is not one of {', '.join(STYLES)}")
    if style == "bibtex":
        return bibtex(record)
    if markup not in ("text", "html"):
        raise InvalidArgument(f"markup: {markup!r} is not text or html")
    write = apa if style == "apa" else chicago
    if markup == "text":
        return write(record)
    marked = write(record, ("\x00", "\x01"))  # escape everything, then put the italics in
    return html.escape(marked, quote=False).replace("\x00", "<i>").replace("\x01", "</i>")
