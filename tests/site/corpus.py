"""The site's content: print days × sections × articles, generated from a seed.

The generator knows the truth about every article, so each one can say what
record a correct parser makes of its page (`expected_record`). Tests compare
a crawl's records with that instead of with another parser's opinion.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from newsarchive.dates import TAIPEI
from newsarchive.site.urls import SECTIONS, SITE
from tests.site import text, vocab
from tests.site.bylines import Byline, pick_byline

#: the last print day of the default corpus: pinned, so the site (and every test) is the same on any date
REFERENCE_DAY = dt.date(2024, 10, 16)
#: ids grow by this many per day; the seed article's day anchors the scale
ID_ANCHOR_DATE = dt.date(2015, 12, 16)
ID_ANCHOR = 2003634000
IDS_PER_DAY = 1000

#: a paper's worth of articles a day (about the real one's)
DEFAULT_PER_SECTION: dict[str, int] = {
    "front": 6, "taiwan": 14, "biz": 12, "editorials": 5,
    "sport": 8, "world": 12, "feat": 5, "lang": 4,
}
#: print pages each section fills, in order
PRINT_PAGES: dict[str, list[int]] = {
    "front": [1, 1, 3], "taiwan": [2, 3, 4], "world": [5, 6, 7], "editorials": [8],
    "lang": [9], "biz": [10, 11, 12], "feat": [13, 14], "sport": [18, 19, 20],
}


def collapse(value: str | None) -> str | None:
    """White space collapsed, the way the record stores text (non-breaking spaces included)."""
    return " ".join(value.split()) if value is not None else None


@dataclass
class Photo:
    url: str
    caption: str | None
    credit: str | None  # who took it: "AFP" (the record's credit)
    after: int  # the photo box follows this many body paragraphs
    credit_label: str = "Photo: "  # printed before the credit: "Photo: AFP"

    @property
    def printed_credit(self) -> str | None:
        return f"{self.credit_label}{self.credit}" if self.credit else None


@dataclass
class SiteArticle:
    """One article as the generator knows it (the page is rendered from this)."""

    id: str
    section_slug: str
    day: dt.date
    print_page: int | None
    headline: str
    kicker: str | None
    deck: str | None
    byline: Byline
    body: list[str]  # paragraphs as text; may hold non-breaking spaces
    photos: list[Photo] = field(default_factory=list)
    translator: str | None = None
    modified_at: str | None = None
    ads_after: tuple[int, ...] = ()
    #: other (section slug, day) lists that also link this article, under that slug and day
    cross_links: list[tuple[str, dt.date]] = field(default_factory=list)

    @property
    def section(self) -> str:
        return SECTIONS[self.section_slug]

    def path(self, slug: str | None = None, day: dt.date | None = None) -> str:
        return f"/News/{slug or self.section_slug}/archives/{(day or self.day):%Y/%m/%d}/{self.id}"

    @property
    def url(self) -> str:
        return SITE + self.path()

    @property
    def published_at(self) -> str:
        return f"{self.day.isoformat()}T00:00:00+08:00"

    @property
    def lead(self) -> str:
        first = collapse(self.body[0]) if self.body else ""
        return first[:180]

    def expected_record(self) -> dict[str, Any]:
        """The record a correct parser makes of this article's page (no parser/schema_version)."""
        body = [collapse(p) or "" for p in self.body]
        return {
            "id": self.id,
            "url": self.url,
            "section": self.section,
            "section_slug": self.section_slug,
            "headline": collapse(self.headline),
            "kicker": collapse(self.kicker),
            "deck": collapse(self.deck),
            "byline": self.byline.collapsed,
            "authors": list(self.byline.authors),
            "agencies": list(self.byline.agencies),
            "dateline": self.byline.dateline,
            "translator": self.translator,
            "published": self.day.isoformat(),
            "published_at": self.published_at,
            "modified_at": self.modified_at,
            "print_page": self.print_page,
            "body": body,
            # the credit is the name after "Photo:"/"Photos:" (the record schema), not the printed line
            "images": [{"url": p.url, "caption": collapse(p.caption),
                        "credit": re.sub(r"^Photos?:\s*", "", collapse(p.credit) or "") or None}
                       for p in self.photos],
            "word_count": sum(len(p.split()) for p in body),
            "language": "en",
        }


def default_days(n: int = 7, last: dt.date = REFERENCE_DAY) -> list[dt.date]:
    """The `n` print days ending on `last` (default: the reference day, never the clock's today)."""
    return [last - dt.timedelta(days=i) for i in range(n - 1, -1, -1)]


def _make_photos(rng: random.Random, article_id: str, day: dt.date, page: int | None, paragraphs: int,
                 section_slug: str) -> list[Photo]:
    weights = [1, 5, 1, 1] if section_slug != "editorials" else [6, 1, 0, 0]
    count = rng.choices([0, 1, 2, 3], weights=[3 * weights[0], 4 * weights[1], weights[2], weights[3]])[0]
    spots = sorted(rng.sample(range(paragraphs), min(count, paragraphs)))
    photos = []
    for n, after in enumerate(spots, 1):
        credit, label = rng.choice(vocab.PHOTO_CREDITS), "Photo: "
        if rng.random() < 0.1:
            credit, label = "the Ministry of Foreign Affairs", "Photo courtesy of "
        url = (f"https://img.taipeitimes.com/images/{day:%Y/%m/%d}/"
               f"P{page or 0:02d}-{day:%y%m%d}-{int(article_id) % 1000:03d}{n}.jpg")
        photos.append(Photo(url, text.caption(rng), None if rng.random() < 0.1 else credit, after, label))
    return photos


def generate_article(seed: int, article_id: str, section_slug: str, day: dt.date,
                     print_page: int | None) -> SiteArticle:
    """One article; its own RNG (seed and id) keeps it the same whatever else the corpus holds."""
    rng = random.Random(f"{seed}:{article_id}")
    byline = pick_byline(rng, section_slug)
    body = [text.paragraph(rng) for _ in range(rng.randint(6, 18))]
    roll = rng.random()
    kicker = rng.choice(vocab.KICKERS) if roll < 0.4 else None
    deck = text.deck(rng) if roll < 0.6 else None
    translator = None
    if section_slug == "editorials" and rng.random() < 0.6 or section_slug == "taiwan" and rng.random() < 0.05:
        translator = rng.choice(vocab.TRANSLATORS)
    if section_slug == "editorials" and byline.authors:
        body.append(text.author_note(rng, byline.authors[0]))
    modified = dt.datetime.combine(day, dt.time(rng.randint(0, 5), rng.randint(0, 59), rng.randint(0, 59)))
    return SiteArticle(
        id=article_id, section_slug=section_slug, day=day, print_page=print_page,
        headline=text.headline(rng), kicker=kicker, deck=deck, byline=byline, body=body,
        photos=_make_photos(rng, article_id, day, print_page, len(body), section_slug),
        translator=translator, modified_at=modified.replace(tzinfo=TAIPEI).isoformat(),
        ads_after=tuple(n for n in (3, 8) if n < len(body)),
    )


class Corpus:
    """The whole site's articles, plus the bookkeeping lists and feeds are drawn from."""

    def __init__(self, days: Iterable[dt.date] | None = None,
                 per_section: int | dict[str, int] = DEFAULT_PER_SECTION, seed: int = 0) -> None:
        self.seed = seed
        self.per_section = per_section
        self.days: list[dt.date] = sorted(set(days if days is not None else default_days()))
        self.articles: dict[str, SiteArticle] = {}
        #: bumped on every change, so rendered pages can be dropped
        self.version = 0
        #: planted rare word or phrase -> ids of the articles whose body holds it
        self.planted: dict[str, list[str]] = {}
        self._texts: tuple[int, dict[str, str]] = (-1, {})  # (version, id -> body text) for ids_containing
        for day in self.days:
            self._generate_day(day)
        self._cross_list()
        self._plant()

    @classmethod
    def with_seed(cls, days: Iterable[dt.date] | None = None, **kwargs: Any) -> Corpus:
        """A corpus that also holds the seed article's day (2015-12-16) and so the seed article."""
        from tests.site.seed import SEED_DAY

        return cls([*(days if days is not None else default_days()), SEED_DAY], **kwargs)

    # ---- generation -------------------------------------------------------------------------

    def _count(self, slug: str) -> int:
        if isinstance(self.per_section, int):
            return self.per_section
        return self.per_section.get(slug, 0)

    def _generate_day(self, day: dt.date) -> None:
        from tests.site.seed import SEED_DAY, seed_article

        rng = random.Random(f"{self.seed}:day:{day}")
        slot = rng.randint(1, 40)
        for slug in SECTIONS:
            count, pages = self._count(slug), PRINT_PAGES[slug]
            for n in range(count):
                page: int | None = pages[min(n * len(pages) // max(count, 1), len(pages) - 1)]
                if slug == "lang" and n == count - 1 and count > 2:
                    page = None  # a web-only piece: no print page
                self._put(generate_article(self.seed, self._id(day, slot), slug, day, page))
                slot += rng.randint(1, 3)
        if day == SEED_DAY:
            self._put(seed_article())

    def _cross_list(self) -> None:
        """Link some articles from another section's list or another day's list too."""
        for article in self.articles.values():
            rng = random.Random(f"{self.seed}:cross:{article.id}")
            if rng.random() >= 0.1:
                continue
            next_day = article.day + dt.timedelta(days=1)
            if next_day in self.days and rng.random() < 0.3:
                article.cross_links.append((article.section_slug, next_day))
            else:
                other = rng.choice([s for s in SECTIONS if s != article.section_slug])
                article.cross_links.append((other, article.day))

    def _plant(self) -> None:
        from tests.site.seed import SEED_ID

        candidates = [a for a in self.articles.values() if a.id != SEED_ID]
        for n, word in enumerate(vocab.PLANTED):
            rng = random.Random(f"{self.seed}:plant:{word}")
            chosen = rng.sample(candidates, min(1 + n % 3, len(candidates)))
            for article in chosen:
                at = rng.randrange(len(article.body))
                article.body[at] += f" Observers mentioned {word} during the {text.noun_phrase(rng)}."
            self.planted[word] = sorted(a.id for a in chosen)

    @staticmethod
    def _id(day: dt.date, slot: int) -> str:
        if not 0 <= slot < IDS_PER_DAY:
            raise ValueError(f"too many articles on {day}")
        return f"{ID_ANCHOR + (day - ID_ANCHOR_DATE).days * IDS_PER_DAY + slot:010d}"

    def _put(self, article: SiteArticle) -> None:
        if article.id in self.articles:
            raise ValueError(f"duplicate article id {article.id}")
        self.articles[article.id] = article

    # ---- queries -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.articles)

    def __iter__(self):
        return iter(self.articles.values())

    def __contains__(self, article_id: object) -> bool:
        return article_id in self.articles

    def __getitem__(self, article_id: str) -> SiteArticle:
        return self.articles[article_id]

    @property
    def latest_day(self) -> dt.date:
        return max(self.days)

    def newest_first(self, section_slug: str | None = None) -> list[SiteArticle]:
        """Newest first (the JSON list's order)."""
        chosen = [a for a in self.articles.values() if section_slug in (None, a.section_slug)]
        return sorted(chosen, key=lambda a: int(a.id), reverse=True)  # ids grow with date and within a day

    def on(self, day: dt.date, section_slug: str | None = None) -> list[SiteArticle]:
        return sorted((a for a in self.articles.values()
                       if a.day == day and section_slug in (None, a.section_slug)), key=lambda a: a.id)

    def listing(self, section_slug: str, day: dt.date) -> list[tuple[SiteArticle, str]]:
        """What the section's list for a print day links: (article, the path it is linked under)."""
        rows = [(a, a.path()) for a in self.on(day, section_slug)]
        rows += [(a, a.path(slug, d)) for a in self.articles.values()
                 for slug, d in a.cross_links if slug == section_slug and d == day]
        return rows

    def expected_records(self) -> dict[str, dict[str, Any]]:
        return {a.id: a.expected_record() for a in self.articles.values()}

    def ids_containing(self, term: str) -> list[str]:
        """Ids of articles whose body holds the term as whole words, any case: search's ground truth."""
        pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)
        if self._texts[0] != self.version:
            self._texts = (self.version, {a.id: "\n".join(collapse(p) or "" for p in a.body)
                                          for a in self.articles.values()})
        return sorted(i for i, body in self._texts[1].items() if pattern.search(body))

    def related(self, article: SiteArticle, n: int = 6) -> list[SiteArticle]:
        """The "You might also like" box: other articles of the same section, nearby days first."""
        rng = random.Random(f"{self.seed}:related:{article.id}")
        pool = [a for a in self.articles.values() if a.id != article.id and a.section_slug == article.section_slug]
        pool.sort(key=lambda a: abs((a.day - article.day).days))
        return rng.sample(pool[: n * 3], min(n, len(pool[: n * 3])))

    def most_popular(self, n: int = 10) -> list[SiteArticle]:
        rng = random.Random(f"{self.seed}:popular:{self.latest_day}")
        pool = [a for a in self.articles.values() if a.day >= self.latest_day - dt.timedelta(days=2)]
        return rng.sample(pool, min(n, len(pool)))

    # ---- changes -----------------------------------------------------------------------------

    def edit(self, article_id: str, **changes: Any) -> SiteArticle:
        """Change an article, as an editor would: its page changes and its modified time moves on."""
        article = self.articles[article_id]
        for name, value in changes.items():
            if name in ("id", "day", "section_slug") or not hasattr(article, name):
                raise ValueError(f"cannot edit {name!r}")
            setattr(article, name, value)
        if "modified_at" not in changes:  # an hour after the last change: the site's clock, not the test's
            last = dt.datetime.fromisoformat(article.modified_at) if article.modified_at else \
                dt.datetime.combine(article.day, dt.time(), TAIPEI)
            article.modified_at = (last + dt.timedelta(hours=1)).isoformat()
        self.version += 1
        return article

    def add_article(self, section_slug: str = "taiwan", day: dt.date | None = None, **fields: Any) -> SiteArticle:
        """A new article appears (on the latest day unless told), after every existing one of its day."""
        day = day or self.latest_day
        if day not in self.days:
            self.days = sorted([*self.days, day])
        slots = [int(a.id) % IDS_PER_DAY for a in self.on(day)]
        article_id = self._id(day, max(slots, default=0) + 1)
        page = PRINT_PAGES[section_slug][0]
        article = generate_article(self.seed, article_id, section_slug, day, page)
        self._put(article)
        self.version += 1
        if fields:
            self.edit(article_id, modified_at=article.modified_at, **fields)
        return article
