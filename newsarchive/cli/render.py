"""Tables for people: hits, counts with bars, concordance lines; readable at 80 columns.

On a terminal matches are in reverse video; piped (a file, `less`, a cron
mail) styles are dropped, so matches are marked **between stars** and the
width is $COLUMNS (default 200).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from newsarchive.search import Concordance, Counts, Hits

#: a URL is copied, not read: it gets a column only where it fits unbroken
URL_MIN_WIDTH = 120
_EIGHTHS = " ▏▎▍▌▋▊▉"
_FIELD_MARK = "  ({})"


def console() -> Console:
    terminal = sys.stdout.isatty()
    return Console(width=None if terminal else int(os.environ.get("COLUMNS", "200")), highlight=False,
                   soft_wrap=False)


def marked(text: str, ranges: list[tuple[int, int]], terminal: bool, style: str = "") -> Text:
    """Matches in reverse video on a terminal, **between stars** when piped."""
    out = Text(style=style)
    pos = 0
    for start, end in ranges:
        out.append(text[pos:start])
        if terminal:
            out.append(text[start:end], style="reverse bold")
        else:
            out.append(f"**{text[start:end]}**")
        pos = end
    out.append(text[pos:])
    return out


def _article_cell(hit: Any, terminal: bool) -> Text:
    record = hit.record
    found = hit.snippets
    headline = record.get("headline") or ""
    cell = marked(headline, found["headline"].highlights if "headline" in found else [], terminal, "bold")
    for name in ("kicker", "deck", "byline"):  # the fields the match is in, named
        if name in found:
            cell.append(f"\n{name}: ", style="italic")
            cell.append_text(marked(found[name].text, found[name].highlights, terminal))
    if "body" in found:
        cell.append("\n")
        cell.append_text(marked(found["body"].text, found["body"].highlights, terminal))
    return cell


def hits_table(hits: Hits) -> None:
    out = console()
    terminal = sys.stdout.isatty()
    if not hits:
        out.print("No articles match." if not hits.total else f"0 of {hits.total:,} articles shown.")
        return
    out.print(f"{len(hits):,} of {hits.total:,} articles" if len(hits) < hits.total else f"{hits.total:,} articles",
              f"· {hits.query}", style="dim" if terminal else None)
    with_url = out.width >= URL_MIN_WIDTH
    table = Table(show_lines=True, expand=True)
    table.add_column("Date", no_wrap=True, width=10)
    table.add_column("Section", overflow="fold", max_width=12)
    table.add_column("Headline", overflow="fold", ratio=3)
    table.add_column("Byline", overflow="fold", max_width=max(16, out.width // 5))
    if with_url:
        table.add_column("URL", no_wrap=True)
    for hit in hits:
        r = hit.record
        row: list[Any] = [f"{r.get('published') or ''}\n{r.get('id') or ''}", r.get("section") or r.get("section_slug") or "",
                          _article_cell(hit, terminal), r.get("byline") or ""]
        if with_url:
            row.append(r.get("url") or "")
        table.add_row(*row)
    out.print(table)


def bar(value: float, top: float, width: int) -> str:
    """A horizontal bar of `value` out of `top` in `width` characters, to an eighth of a character."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def counts_table(counts: Counts) -> None:
    out = console()
    normalized = counts.normalized
    values = [(b.share or 0.0) if normalized else float(b.count) for b in counts.buckets]
    top = max(values, default=0.0)
    per = "share of articles" if normalized else "articles"
    out.print(f"{counts.total:,} articles · {counts.query or 'every article'} · {per} by {counts.by}",
              style="dim" if sys.stdout.isatty() else None)
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column(counts.by.capitalize(), no_wrap=True)
    table.add_column("Count", justify="right", no_wrap=True)
    if normalized:
        table.add_column("Articles", justify="right", no_wrap=True)
        table.add_column("Share", justify="right", no_wrap=True)
    fixed = 12 + 10 + (22 if normalized else 0)
    width = max(10, out.width - fixed)
    table.add_column("", no_wrap=True, overflow="crop")
    for bucket, value in zip(counts.buckets, values, strict=True):
        row = [bucket.key, f"{bucket.count:,}"]
        if normalized:
            row += [f"{bucket.articles or 0:,}", "-" if bucket.share is None else f"{bucket.share:.1%}"]
        table.add_row(*row, bar(value, top, width))
    out.print(table)


def kwic_width(requested: int | None) -> int:
    """Context characters each side: as asked, else what fits the terminal (at most 60)."""
    if requested is not None:
        return requested
    return max(20, min(60, (console().width - 4 - 14 - len(_FIELD_MARK.format("headline"))) // 2))


def kwic_table(result: Concordance, width: int) -> None:
    """A header per article, then its lines with the matches in one column."""
    out = console()
    terminal = sys.stdout.isatty()
    current = None
    for line in result.lines:
        if line.id != current:
            current = line.id
            out.print(Text(f"{line.published}  {line.id}  {line.section}", style="dim" if terminal else ""))
        text = Text("  " + line.left.rjust(width) + " ")
        text.append_text(marked(line.match, [(0, len(line.match))], terminal))
        text.append(" " + line.right)
        if line.field != "body":
            text.append(_FIELD_MARK.format(line.field), style="italic")
        out.print(text, overflow="crop", no_wrap=True)
