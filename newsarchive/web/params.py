"""The query-string parameters the pages and the API share, read once into a Selection.

HTML forms send empty fields as empty strings (`since=`): those mean "not
given". Sections may be repeated (`section=taiwan&section=biz`, what a form
of checkboxes sends) or comma-separated (`section=taiwan,biz`, what people
type).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from newsarchive.web.corpus import Selection

Q = Annotated[str, Query(description="The query, in the CLI's query language (see `newsarchive search --help`).",
                         max_length=2000)]
SECTION = Annotated[list[str], Query(description="Section slugs (front, taiwan, biz, editorials, sport, world, feat, "
                                                 "lang); repeat or separate with commas: any of them.")]
SINCE = Annotated[str | None, Query(description="Printed on or after: YYYY-MM-DD, YYYY-MM (its first day) or YYYY.",
                                    max_length=40)]
UNTIL = Annotated[str | None, Query(description="Printed on or before: YYYY-MM-DD, YYYY-MM (its last day) or YYYY.",
                                    max_length=40)]
AUTHOR = Annotated[str | None, Query(description="A person in the byline (any case).", max_length=200)]
AGENCY = Annotated[str | None, Query(description="An agency credited (AFP, CNA, ...; any case).", max_length=200)]
DEDUPE = Annotated[bool, Query(description="One article per wire story (duplicates' representative only).")]


def _given(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def selection(q: Q = "", section: SECTION = [], since: SINCE = None, until: UNTIL = None,  # noqa: B006 - FastAPI copies
              author: AUTHOR = None, agency: AGENCY = None, dedupe: DEDUPE = False) -> Selection:
    sections = tuple(dict.fromkeys(s.strip() for value in section for s in value.split(",") if s.strip()))
    return Selection(q.strip(), sections, _given(since), _given(until), _given(author), _given(agency), dedupe)
