"""Bylines in every form the paper prints, each with its parts known.

The generator writes the printed byline and, alongside it, what a parser
should read out of it: people (authors), organisations (agencies) and the
place after an agency (dateline). Roles such as "Staff reporter" or
"Staff writer" are neither people nor agencies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tests.site.vocab import DATELINES, PEOPLE

WIRE_AGENCIES = ["AFP", "Reuters", "AP", "Kyodo", "NY Times News Service", "The Guardian"]


@dataclass(frozen=True)
class Byline:
    printed: str | None
    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    dateline: str | None = None

    @property
    def collapsed(self) -> str | None:
        """The byline as the record holds it: printed, white space collapsed."""
        return " ".join(self.printed.split()) if self.printed else None


def _people(rng: random.Random, n: int) -> list[str]:
    return rng.sample(PEOPLE, n)


def agency_dateline(rng: random.Random) -> Byline:
    agency, place = rng.choice(WIRE_AGENCIES), rng.choice(DATELINES)
    return Byline(f"{agency}, {place}", [], [agency], place)


def two_agencies(rng: random.Random) -> Byline:
    place = rng.choice(DATELINES)
    return Byline(f"AFP and Reuters, {place}", [], ["AFP", "Reuters"], place)


def staff_reporter(rng: random.Random) -> Byline:
    (name,) = _people(rng, 1)
    return Byline(f"By {name} / Staff reporter", [name])


def staff_reporter_spaced(rng: random.Random) -> Byline:
    (name,) = _people(rng, 1)
    return Byline(f"By {name}  /  Staff reporter", [name])


def staff_writer_cna(rng: random.Random) -> Byline:
    role = rng.choice(["Staff writer", "Staff writer", "Staff writers"])
    return Byline(f"{role}, with CNA", [], ["CNA"])


def authors_agency_dateline(rng: random.Random) -> Byline:
    a, b = _people(rng, 2)
    place = rng.choice(["TAIPEI", "TAIPEI", "HONG KONG", "BEIJING"])
    return Byline(f"By {a} and {b} / Reuters, {place}", [a, b], ["Reuters"], place)


def author_agency(rng: random.Random) -> Byline:
    (name,) = _people(rng, 1)
    agency = rng.choice(["Bloomberg", "NY Times News Service", "The Guardian"])
    return Byline(f"By {name} / {agency}", [name], [agency])


def three_authors(rng: random.Random) -> Byline:
    a, b, c = _people(rng, 3)
    return Byline(f"By {a}, {b} and {c}", [a, b, c])


def single_author(rng: random.Random) -> Byline:
    (name,) = _people(rng, 1)
    return Byline(f"By {name}", [name])


def no_byline(rng: random.Random) -> Byline:
    return Byline(None)


#: section slug -> (form, weight); every printed form appears in a default corpus
FORMS_BY_SECTION = {
    "front": [(staff_reporter, 4), (staff_reporter_spaced, 2), (staff_writer_cna, 2),
              (authors_agency_dateline, 1), (three_authors, 1), (agency_dateline, 1)],
    "taiwan": [(staff_reporter, 5), (staff_reporter_spaced, 2), (staff_writer_cna, 3),
               (three_authors, 1), (no_byline, 1)],
    "biz": [(staff_reporter, 3), (staff_writer_cna, 2), (author_agency, 2), (agency_dateline, 1),
            (authors_agency_dateline, 1)],
    "editorials": [(no_byline, 2), (single_author, 3)],
    "sport": [(agency_dateline, 3), (staff_reporter, 2), (staff_writer_cna, 1), (no_byline, 1)],
    "world": [(agency_dateline, 6), (two_agencies, 1), (author_agency, 1), (authors_agency_dateline, 1)],
    "feat": [(staff_reporter, 2), (author_agency, 2), (single_author, 1), (agency_dateline, 1)],
    "lang": [(no_byline, 2), (staff_writer_cna, 1), (single_author, 1)],
}


def pick_byline(rng: random.Random, section_slug: str) -> Byline:
    forms = FORMS_BY_SECTION.get(section_slug, FORMS_BY_SECTION["taiwan"])
    form = rng.choices([f for f, _ in forms], weights=[w for _, w in forms])[0]
    return form(rng)

