"""The pages: search, an article, coverage, the crawl runs. Server-rendered, no JavaScript needed.

Every page is a GET whose address says everything it shows (a search's
query, filters, sort and page are in the query string), so a reader can
bookmark, share and cite it. A bad query or date is shown on the page with
the form still filled in, and a 400 status.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as FastPath
from fastapi.responses import FileResponse, Response
from markupsafe import Markup
from starlette.background import BackgroundTask

from newsarchive.dates import today_taipei
from newsarchive.errors import InvalidArgument, UserError
from newsarchive.search.cite import cite
from newsarchive.site.urls import SECTIONS, section_name, validate_id
from newsarchive.web import calendar as cal
from newsarchive.web import runs as run_history
from newsarchive.web.api import CorpusDep, SelectionDep
from newsarchive.web.apidoc import reference, ticks
from newsarchive.web.chart import Series, draw
from newsarchive.web.corpus import Selection
from newsarchive.web.errors import message_for, status_for
from newsarchive.web.rendering import env, render, with_query
from newsarchive.web.revisions import revisions

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
MAX_PAGE = 500  # 10,000 results deep: past that, narrow the query or download
#: queries the empty search page offers, to show the language by example
EXAMPLES = ("typhoon kaohsiung", '"martial law" -exhibition', "(referendum OR recall) taiwan", '"cross-strait ties"~2',
            "semicondu*", "headline:earthquake")
#: past ten years of months, the chart shows years
AUTO_MAX_MONTHS = 120
MEASURES = ("count", "share")
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
             "parquet": "application/vnd.apache.parquet"}

Sort = Literal["relevance", "date"]
By = Literal["auto", "day", "month", "year"]
Measure = Literal["count", "share"]


def selection_params(chosen: Selection) -> dict[str, Any]:
    """The selection as query parameters, for links that keep it."""
    return {"q": chosen.q, "section": list(chosen.sections), "since": chosen.since, "until": chosen.until,
            "author": chosen.author, "agency": chosen.agency, "dedupe": "true" if chosen.dedupe else None}


def hidden_fields(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, value) pairs for a form that must keep the rest of the page's parameters."""
    pairs = []
    for name, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            if v not in (None, ""):
                pairs.append((name, str(v)))
    return pairs


def pages_around(current: int, last: int, width: int = 2) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: page numbers to link, None for a gap."""
    shown = sorted({1, last, *range(max(1, current - width), min(last, current + width) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def chart_params(by: str, split: bool, measure: str) -> dict[str, Any]:
    """The chart's settings as query parameters, defaults left out."""
    return {"by": by if by != "auto" else None, "split": "1" if split else None,
            "measure": measure if measure != "count" else None}


@router.get("/")
def search_page(request: Request, corpus: CorpusDep, chosen: SelectionDep, sort: Sort = "relevance",
                page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1, by: By = "auto", split: bool = False,
                measure: Measure = "count") -> Response:
    params = selection_params(chosen)
    chart = chart_params(by, split, measure)
    context: dict[str, Any] = {
        "chosen": chosen, "sort": sort, "by": by, "split": split, "measure": measure, "page": page, "result": None,
        "error": None, "pages": [], "last_page": 1, "overview": None, "examples": EXAMPLES,
        "chart_url": with_query("/chart.svg", {**params, **chart}),
        "counts_url": with_query("/api/counts", {**params, "by": "month" if by == "auto" else by,
                                                 "normalize": "true" if measure == "share" else None}),
        "downloads": {fmt: with_query(f"/download.{fmt}", params) for fmt in DOWNLOADS},
        "hidden": hidden_fields({**params, "sort": sort}),
        "page_url": lambda n: with_query("/", {**params, "sort": sort if sort != "relevance" else None,
                                               "page": n if n > 1 else None, **chart}),
    }
    status = 200
    if not chosen.q:
        try:
            everything = corpus.counts(chosen, by="year")
        except UserError as exc:  # an empty store: say so instead of an overview
            context["error"] = message_for(exc)
        else:
            years = [b.key for b in everything.buckets if b.count]
            context["overview"] = {"total": everything.total, "first": years[0] if years else None,
                                   "last": years[-1] if years else None}
        return render(request, "search.html", context)
    try:
        result = corpus.search(chosen, offset=(page - 1) * PER_PAGE, limit=PER_PAGE, sort=sort)
    except UserError as exc:
        context["error"], status = message_for(exc), status_for(exc)
    else:
        last = max(1, min(MAX_PAGE, -(-result.total // PER_PAGE)))
        context.update(result=result, last_page=last, pages=pages_around(page, last))
    return render(request, "search.html", context, status)


@router.get("/chart.svg")
def chart_svg(corpus: CorpusDep, chosen: SelectionDep, by: By = "auto", split: bool = False,
              measure: Measure = "count") -> Response:
    """The attention chart of a search: its hits per period, stacked by section when `split`.

    `auto`: months, unless the range holds two months or fewer (then days) or more than ten years of them
    (then years)."""
    share = measure == "share" and bool(chosen.q)  # without a query: every article, so no share to speak of
    overall = corpus.counts(chosen, by="month" if by == "auto" else by, normalize=share)
    if by == "auto":
        months = len(overall.buckets)
        by = "day" if months <= 2 else "year" if months > AUTO_MAX_MONTHS else "month"
        if by != "month":
            overall = corpus.counts(chosen, by=by, normalize=share)
    keys = [b.key for b in overall.buckets]
    if split:
        sections = chosen.sections or tuple(SECTIONS)
        series = []
        for slug in sections:
            part = corpus.counts(chosen.only(slug), by=by)
            counts = {b.key: b.count for b in part.buckets}
            values = [_share(counts.get(b.key, 0), b.articles) if share else float(counts.get(b.key, 0))
                      for b in overall.buckets]
            series.append(Series(slug, section_name(slug) or slug, values))
    else:
        series = [Series("", "all sections", [float(b.share or 0) if share else float(b.count) for b in overall.buckets])]
    what = "share of all articles" if share else "articles"
    caption = (f"{what.capitalize()} matching “{chosen.q}” per {by}: {overall.total:,} in all" if chosen.q
               else f"Articles archived per {by}: {overall.total:,} in all")
    svg = env.get_template("chart.svg").render(chart=draw(keys, series, share=share, caption=caption))
    return Response(svg, media_type="image/svg+xml", headers={"cache-control": "private, max-age=60"})


def _share(count: int, articles: int | None) -> float:
    """A section's part of a period's share: its matches over all the period's articles."""
    return count / articles if articles else 0.0


@router.get("/download.{fmt}")
def download(corpus: CorpusDep, chosen: SelectionDep, fmt: Literal["csv", "jsonl", "parquet"]) -> Response:
    """Every record the search matches, through the export code (`newsarchive export`'s formats)."""
    from newsarchive.search.export import export

    if not chosen.q:
        raise InvalidArgument("q: a query is needed")
    folder = Path(tempfile.mkdtemp(prefix="newsarchive-download-"))
    path = folder / f"taipei-times.{fmt}"
    try:
        export(corpus.records(chosen), fmt, path)
    except BaseException:
        _remove(folder)
        raise
    name = f"taipei-times-{_slug(chosen.q)}.{fmt}"
    return FileResponse(path, media_type=DOWNLOADS[fmt], filename=name, background=BackgroundTask(_remove, folder))


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())[:60] or "search"


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink(missing_ok=True)
    folder.rmdir()


def citations(record: dict[str, Any]) -> dict[str, Any]:
    """APA and Chicago as HTML (newsarchive.search.cite escapes the record's text itself, then adds the italics),
    BibTeX as text for the template to escape."""
    return {"apa": Markup(cite(record, "apa", markup="html")), "chicago": Markup(cite(record, "chicago", markup="html")),
            "bibtex": cite(record, "bibtex")}


@router.get("/articles/{article_id}")
def article_page(request: Request, corpus: CorpusDep, article_id: str) -> Response:
    validate_id(article_id)
    record, key = corpus.article(article_id)
    context = {
        "r": record,
        "revisions": revisions(corpus.store, record, key),
        "key": key,
        "citations": citations(record),
    }
    return render(request, "article.html", context)


@router.get("/articles/{article_id}/photos/{index}")
def photo_file(corpus: CorpusDep, article_id: str, index: Annotated[int, FastPath(ge=0, le=999)]) -> Response:
    """A photo from its capture; its own policy forbids it anything but being an image."""
    from newsarchive.web.photos import photo

    validate_id(article_id)
    record, _ = corpus.article(article_id)
    found = photo(corpus.store, record, index)
    return Response(found.body, media_type=found.content_type, headers={
        "cache-control": "private, max-age=86400", "content-security-policy": "default-src 'none'; sandbox"})


@router.get("/coverage")
def coverage_page(request: Request, corpus: CorpusDep, since: dt.date | None = None, until: dt.date | None = None,
                  section: Annotated[list[str], Query()] = []) -> Response:  # noqa: B006 - FastAPI copies
    context: dict[str, Any] = {"since": since, "until": until, "chosen_sections": section, "calendar": None,
                               "error": None, "states": cal.STATES}
    status = 200
    try:
        first, last = cal.window(since, until, run_history.latest_window(corpus.store), today_taipei())
        context.update(since=first, until=last)
        context["calendar"] = cal.calendar(cal.coverage_of(corpus.store, first, last, section))
    except UserError as exc:
        context["error"], status = message_for(exc), status_for(exc)
    return render(request, "coverage.html", context, status)


@router.get("/runs")
def runs_page(request: Request, corpus: CorpusDep, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    found, total = run_history.runs(corpus.store, page)
    last = max(1, -(-total // run_history.PER_PAGE))
    return render(request, "runs.html", {"runs": found, "total": total, "page": page, "last_page": last})


@router.get("/runs/{run_id}")
def run_page(request: Request, corpus: CorpusDep, run_id: str) -> Response:
    return render(request, "run.html", {"run": run_history.run(corpus.store, run_id)})


@router.get("/api")
def api_page(request: Request) -> Response:
    """The API's reference, read from its own OpenAPI document."""
    spec = request.app.openapi()
    return render(request, "api.html", {"spec": spec, "endpoints": reference(spec), "ticks": ticks})
