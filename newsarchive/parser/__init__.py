"""Article page objects, one class per layout era; `parse_article` picks the right one.

    from newsarchive.parser import parse_article
    article = parse_article(html_bytes_or_text, url=None)   # -> newsarchive.article.Article

Modules: `base` (the era registry, `Page`, soup helpers), `current` (today's
template, used for the whole archive), `metadata` (`<head>` og:/JSON-LD, shared
by eras), `bylines` (byline -> authors/agencies/dateline), `text` (white space).
A new era is a new module with a `Layout` subclass registered before the ones it
supersedes; nothing else changes. Only `newsarchive.errors.NotAnArticle` is ever
raised, for input that is not a Taipei Times article in a known layout.
"""

from newsarchive.parser import current as _current  # noqa: F401  (registers the layout)
from newsarchive.parser.base import LAYOUTS, Layout, Page, parse_article
from newsarchive.parser.bylines import BylineParts, parse_byline

__all__ = ["parse_article", "parse_byline", "BylineParts", "Layout", "Page", "LAYOUTS"]
