"""A printed byline -> the people, the organisations and the place it names.

Bylines are free text typed by desk editors, so the parser reads them by
position, the way a reader does, rather than by a list of every agency:

    [By] PEOPLE [/ CREDIT]          "By Ben Blanchard and Yimou Lee / Reuters, TAIPEI"
    CREDIT                          "AFP, MANILA"   "Staff writer, with CNA"

* PEOPLE are names joined by commas, "and" or "&". A comma-separated item that
  is a role ("Staff reporter") or a known agency ends the names: the rest is
  CREDIT ("By Jane Doe, Reuters, TAIPEI").
* CREDIT is ``ORG[S][, PLACE][, with ORGS]``: the first item is an organisation
  unless it is a role ("Staff writer", "Special to the Taipei Times"); later
  items that are known agencies extend the list ("AFP, AP and Reuters,
  BANGKOK"); what is left is the dateline. A role may carry its own place
  ("Staff reporter, in WASHINGTON"). A "with" clause lists more organisations.
* Roles are never agencies, and neither are generic credits ("agencies",
  "wire services"): the record's `agencies` lists organisations only. The
  printed byline itself is kept verbatim in `byline`, so nothing is lost.

The known-agency list is needed only where position alone is ambiguous
(several agencies before a dateline, an agency written inside the names); an
unknown organisation in the usual place ("Xinhua, BEIJING") is still found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsarchive.parser.text import collapse

#: organisations seen in Taipei Times bylines (TAIPEI_TIMES.md) and their common long forms, lower-cased
KNOWN_AGENCIES: frozenset[str] = frozenset(
    name.lower()
    for name in (
        "AFP", "Agence France-Presse", "Reuters", "AP", "Associated Press", "The Associated Press",
        "CNA", "Central News Agency", "Bloomberg", "Bloomberg Opinion", "Kyodo", "Kyodo News",
        "NY Times News Service", "New York Times News Service", "The New York Times",
        "The Guardian", "The Observer", "The Washington Post", "Washington Post", "Los Angeles Times",
        "The Economist", "The Telegraph", "Project Syndicate", "The Conversation", "Xinhua", "Yonhap",
        "dpa", "Jiji Press", "Nikkei Asia", "Liberty Times", "Focus Taiwan", "BBC", "CNN", "ANSA", "EFE", "TASS",
    )
)

#: credits that name no organisation ("Staff writer, with agencies")
_GENERIC = re.compile(r"^(?:(?:news|wire)\s+)?(?:agenc(?:y|ies)|wire\s+services?|(?:agency|wire)\s+reports?)$", re.I)
_ROLE = re.compile(
    r"(?:(?:(?:taipei\s+times\s+)?(?:staff|contributing|special|senior|foreign|our)\s+)?"
    r"(?:reporter|writer|correspondent|contributor|editor|staff)s?"
    r"|special\s+to\s+the\s+taipei\s+times)"
    r"(?:,?\s+in\s+.+)?",
    re.I,
)
#: "..., in WASHINGTON" / "... in WASHINGTON" after a role
_ROLE_PLACE = re.compile(r",?\s+in\s+(?P<place>.+)$", re.I)
_BY = re.compile(r"^by(?:[\s:]+|$)", re.I)
_WITH = re.compile(r"(?:,\s*|\s+|^)with\s+", re.I)
_COMMA = re.compile(r"\s*,\s*")
_JOIN = re.compile(r"\s*,?\s+and\s+|\s*&\s*|\s*,\s*", re.I)


@dataclass
class BylineParts:
    """What a byline says, in the record's terms."""

    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    dateline: str | None = None

    def _agency(self, name: str) -> None:
        if name and not _GENERIC.match(name) and name not in self.agencies:
            self.agencies.append(name)

    def _place(self, place: str) -> None:
        place = re.sub(r"^in\s+", "", place, flags=re.I).strip(" ,")
        if place and self.dateline is None:
            self.dateline = place


def is_role(text: str) -> bool:
    """A job title ("Staff reporter"), never an organisation."""
    return bool(_ROLE.fullmatch(text))


def is_known_agency(text: str) -> bool:
    return text.lower() in KNOWN_AGENCIES


def parse_byline(byline: str | None) -> BylineParts:
    """Authors, agencies and dateline of a byline as printed; an empty or missing byline names nobody."""
    parts = BylineParts()
    text = collapse(byline)
    if not text:
        return parts
    left, slash, right = text.partition("/")
    people, credit = (left.strip(), right.strip()) if slash else (text, "")
    if not slash and not _BY.match(text):
        people, credit = "", text
    tail = _read_people(_BY.sub("", people), parts)
    credit = ", ".join(piece for piece in (tail, credit) if piece)
    _read_credit(credit.strip(" ,"), parts)
    return parts


def _read_people(text: str, parts: BylineParts) -> str:
    """Adds the names to `parts`; returns the tail that is credit, not people ("Reuters, TAIPEI")."""
    segments = _COMMA.split(text) if text else []
    for i, segment in enumerate(segments):
        if is_role(segment) or is_known_agency(segment):
            names, tail = segments[:i], ", ".join(segments[i:])
            break
    else:
        names, tail = segments, ""
    for name in _JOIN.split(", ".join(names)) if names else []:
        if name and name not in parts.authors:
            parts.authors.append(name)
    return tail


def _read_credit(text: str, parts: BylineParts) -> None:
    if not text:
        return
    match = _WITH.search(text)
    main, extra = (text[: match.start()], text[match.end():]) if match else (text, "")
    for name in _JOIN.split(extra) if extra else []:
        if name and not is_role(name):
            parts._agency(name)
    segments = [s for s in _COMMA.split(main) if s]
    if not segments:
        return
    first, rest = segments[0], segments[1:]
    for name in _JOIN.split(first):
        if not name:
            continue
        if is_role(name):
            place = _ROLE_PLACE.search(name)
            if place:
                parts._place(place["place"])
        else:
            parts._agency(name)
    while rest and all(is_known_agency(n) for n in _JOIN.split(rest[0]) if n):
        for name in _JOIN.split(rest.pop(0)):
            parts._agency(name)
    if rest:
        parts._place(", ".join(rest))
