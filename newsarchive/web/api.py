"""The JSON API under /api, described by the OpenAPI document at /api/openapi.json.

Shapes are a contract, like the CLI's: fields may be added, never renamed.
Responses are built as plain dicts (the models below document them; they
are not run over every response, which would cost more than the search).
Errors: `{"error": <HTTP status>, "message": "<one line>"}`; a query that
cannot be parsed, a bad date or a malformed id is 400, an unknown id 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as FastPath
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from newsarchive.errors import InvalidArgument
from newsarchive.search import Hit
from newsarchive.site.urls import validate_id
from newsarchive.web import runs as run_history
from newsarchive.web.corpus import Corpus, Selection
from newsarchive.web.params import selection


class ApiError(BaseModel):
    error: int
    message: str


class SearchHit(BaseModel):
    id: str
    score: float
    published: str | None
    section_slug: str | None
    headline: str | None
    byline: str | None
    url: str | None
    snippet: str


class SearchResult(BaseModel):
    total: int
    hits: list[SearchHit]


class Bucket(BaseModel):
    key: str
    count: int
    articles: int | None = None
    share: float | None = None


class CountsResult(BaseModel):
    total: int
    buckets: list[Bucket]


class Record(BaseModel):
    """The stored record (README, "The record"): these fields and more."""

    model_config = ConfigDict(extra="allow")
    id: str
    url: str
    headline: str
    published: str


class RunSummary(BaseModel):
    model_config = ConfigDict(extra="allow")
    run_id: str
    started: str | None = None
    finished: str | None = None
    seconds: float | None = None
    outcome: str | None = None
    exit_code: int | None = None
    counts: dict[str, int] = {}
    failures: int


class RunsResult(BaseModel):
    total: int
    runs: list[RunSummary]


class CoverageResult(BaseModel):
    """As `newsarchive coverage --format json`."""

    model_config = ConfigDict(extra="allow")
    since: str
    until: str
    complete: bool
    gaps: int
    days: list[dict[str, Any]]


ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": ApiError}, 401: {"model": ApiError}, 404: {"model": ApiError}}

router = APIRouter(prefix="/api", responses=ERRORS)


def corpus(request: Request) -> Corpus:
    found: Corpus = request.app.state.corpus
    return found


CorpusDep = Annotated[Corpus, Depends(corpus)]
SelectionDep = Annotated[Selection, Depends(selection)]


def hit_json(hit: Hit) -> dict[str, Any]:
    r = hit.record
    return {"id": hit.id, "score": hit.score, "published": r.get("published"), "section_slug": r.get("section_slug"),
            "headline": r.get("headline"), "byline": r.get("byline"), "url": r.get("url"), "snippet": hit.snippet}


@router.get("/search", response_model=SearchResult, summary="Ranked full-text search")
def search(corpus: CorpusDep, chosen: SelectionDep,
           limit: Annotated[int, Query(ge=1, le=100, description="How many hits.")] = 10,
           offset: Annotated[int, Query(ge=0, le=100_000, description="Hits to skip (paging).")] = 0,
           sort: Annotated[Literal["relevance", "date"], Query(description="BM25, or newest print day first.")]
           = "relevance") -> JSONResponse:
    """The best matches of `q` (BM25; or newest print day first with `sort=date`, scores then 0) among the
    records the filters select; `total` counts every match."""
    if not chosen.q:
        raise InvalidArgument("q: a query is needed")
    page = corpus.search(chosen, offset=offset, limit=limit, sort=sort)
    return JSONResponse({"total": page.total, "hits": [hit_json(h) for h in page.hits]})


@router.get("/counts", response_model=CountsResult, summary="Matching articles per day, month, year or section")
def counts(corpus: CorpusDep, chosen: SelectionDep,
           by: Annotated[Literal["day", "month", "year", "section"], Query(description="What a bucket is.")] = "month",
           normalize: Annotated[bool, Query(description="Add `articles` and `share` to each bucket.")] = False,
           ) -> JSONResponse:
    """Every bucket of the range is listed, zeros included. `normalize`: each bucket also gets `articles`
    (all articles in it under the same filters) and `share` (count / articles)."""
    found = corpus.counts(chosen, by=by, normalize=normalize)
    return JSONResponse({"total": found.total, "buckets": [b.to_dict() for b in found.buckets]})


@router.get("/articles/{article_id}", response_model=Record, summary="One stored record")
def article(corpus: CorpusDep,
            article_id: Annotated[str, FastPath(description="The article id: ten digits.")]) -> JSONResponse:
    """The record as stored. A malformed id (not ten digits) is 400, an id not in the archive 404."""
    validate_id(article_id)
    return JSONResponse(corpus.article(article_id)[0])


@router.get("/runs", response_model=RunsResult, summary="The crawl history, newest first")
def runs(corpus: CorpusDep, page: Annotated[int, Query(ge=1, description="Page, newest runs first.")] = 1,
         per_page: Annotated[int, Query(ge=1, le=500, description="Runs a page.")] = run_history.PER_PAGE,
         ) -> JSONResponse:
    """One entry per run report (`runs/<run-id>.json`): its fields, `seconds` it took, and how many failures,
    changes and WARC files it lists (the whole lists: /runs/<run-id> in a browser, or the store)."""
    found, total = run_history.runs(corpus.store, page, per_page)
    return JSONResponse({"total": total, "runs": [r.summary() for r in found]})


@router.get("/coverage", response_model=CoverageResult, summary="Listed against archived, per day and section")
def coverage(corpus: CorpusDep, since: Annotated[dt.date, Query(description="First print day.")],
             until: Annotated[dt.date, Query(description="Last print day (at most 92 days after since).")],
             section: Annotated[list[str], Query(description="Only these sections (default all eight).")] = [],  # noqa: B006
             ) -> JSONResponse:
    """What `newsarchive coverage --format json` prints for the same days and sections."""
    from newsarchive.web.calendar import coverage_of

    return JSONResponse(coverage_of(corpus.store, since, until, section).as_dict())
