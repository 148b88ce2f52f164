"""What a page says about itself in `<head>`: og:/article: metas, the canonical link, JSON-LD.

Shared by every layout era: the metadata outlived template changes. Everything
here is optional: a missing or malformed item reads as None, never an error,
because the visible page (headline, print date line) is the primary source.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup

from newsarchive.site.urls import ArticleRef, match_article


@dataclass
class HeadMeta:
    metas: dict[str, str] = field(default_factory=dict)
    base_href: str | None = None
    canonical: str | None = None
    #: the page's own NewsArticle object from JSON-LD (empty if none)
    ld: dict[str, Any] = field(default_factory=dict)

    def meta(self, key: str) -> str | None:
        return self.metas.get(key)

    def ld_str(self, key: str) -> str | None:
        """A JSON-LD property as a string: objects give their "@id"/"url", lists their first item."""
        value = self.ld.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        return value.strip() if isinstance(value, str) and value.strip() else None

    @classmethod
    def read(cls, soup: BeautifulSoup) -> HeadMeta:
        out = cls()
        head = soup.head
        if head is not None:
            for meta in head.find_all("meta"):
                key = meta.get("property") or meta.get("name")
                content = meta.get("content")
                if isinstance(key, str) and isinstance(content, str) and content.strip():
                    out.metas.setdefault(key.strip().lower(), content.strip())
            base = head.find("base", href=True)
            if base is not None and isinstance(base["href"], str) and base["href"].startswith(("http://", "https://")):
                out.base_href = base["href"].strip()
            for link in head.find_all("link", href=True):
                rel: Any = link.get("rel") or []
                if "canonical" in rel and isinstance(link["href"], str):
                    out.canonical = link["href"].strip()
                    break
        out.ld = _own_news_article(soup, out.metas.get("og:url"))
        return out


_ARTICLE_TYPES = ("NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle")


def _own_news_article(soup: BeautifulSoup, og_url: str | None) -> dict[str, Any]:
    """This page's NewsArticle: the one whose url is the page's own, else the first in `<head>`.

    Related-article boxes may carry JSON-LD of their own; position and identity,
    not the first match in the page, decide which object describes this article.
    """
    own = article_ref(og_url)
    first_in_head: dict[str, Any] = {}
    for script in soup.find_all("script"):
        if str(script.get("type", "")).strip().lower() != "application/ld+json":
            continue
        for obj in _objects(script.string or ""):
            url = obj.get("url") or obj.get("mainEntityOfPage")
            if isinstance(url, dict):
                url = url.get("@id")
            ref = article_ref(url)
            if own is not None and ref is not None and ref.id == own.id:
                return obj
            if not first_in_head and script.find_parent("head") is not None:
                first_in_head = obj
    return first_in_head


def _objects(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    items = data if isinstance(data, list) else [data]
    found: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("@graph"), list):
            items.extend(item["@graph"])
            continue
        if not isinstance(item, dict):
            continue
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(k in _ARTICLE_TYPES for k in kinds if isinstance(k, str)):
            found.append(item)
    return found


def iso_with_offset(value: str | None) -> str | None:
    """An ISO 8601 timestamp with its UTC offset, normalised; None if absent, malformed or naive.

    A value without an offset is dropped rather than guessed: the record
    promises the offset the page gave, and the print date (`published`) does
    not depend on it.
    """
    if not value or not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment.isoformat()



def article_ref(*candidates: object) -> ArticleRef | None:
    """The first candidate that is an article URL (og:url, JSON-LD url, canonical link, the caller's URL).

    Page metadata is untrusted text: a malformed URL ("http://[::1") is skipped, not an error.
    """
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            try:
                ref = match_article(candidate.strip())
            except ValueError:
                continue
            if ref is not None:
                return ref
    return None
