"""`newsarchive crawl`: archive print days of the Taipei Times.

Everything that can be checked before Scrapy starts is checked here (dates,
sections, URLs, the store, the lock), so a user error costs one line and an
exit code, never a half-started crawl.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any

import click

from newsarchive.errors import InvalidArgument
from newsarchive.exitcodes import Exit, help_text

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.settings import Settings

    from newsarchive.crawl.run import CrawlRun


def _split_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.isidentifier():
            raise InvalidArgument(f"bad --set {pair!r}: want NAME=VALUE")
        out[name] = value
    return out


def build_settings(options: dict[str, Any]) -> Settings:
    """Scrapy settings for a crawl: the project's, the user's overrides, then the add-on's rules (which Scrapy
    applies again, to the same effect, when the crawl starts)."""
    from scrapy.settings import Settings

    from newsarchive.crawl.addon import NewsarchiveAddon

    settings = Settings()
    settings.setmodule("newsarchive.crawl.settings", priority="project")
    mapping = {
        "store": "NEWSARCHIVE_STORE", "base_url": "NEWSARCHIVE_BASE_URL", "s3_endpoint_url": "NEWSARCHIVE_S3_ENDPOINT_URL",
        "spool_dir": "NEWSARCHIVE_SPOOL_DIR", "contact": "NEWSARCHIVE_CONTACT", "refresh": "NEWSARCHIVE_REFRESH",
        "frontier": "NEWSARCHIVE_FRONTIER",
    }
    for option, name in mapping.items():
        if options.get(option) not in (None, ""):
            settings.set(name, options[option], priority="cmdline")
    for option, name in (("no_images", "NEWSARCHIVE_IMAGES"), ("no_requisites", "NEWSARCHIVE_REQUISITES")):
        if options.get(option):
            settings.set(name, False, priority="cmdline")
    settings.setdict(options.get("extra_settings") or {}, priority="cmdline")
    NewsarchiveAddon().update_settings(settings)
    return settings


@click.command(epilog=help_text())
@click.option("--since", metavar="YYYY-MM-DD", help="First print day to archive (a backfill). Default: yesterday (Taipei).")
@click.option("--until", metavar="YYYY-MM-DD", help="Last print day to archive. Default: today (Taipei) or --since's day.")
@click.option("--sections", metavar="SLUG,...",
              help="Only these sections (front, taiwan, biz, editorials, sport, world, feat, lang).")
@click.option("--max-articles", type=click.IntRange(min=1), help="Fetch at most this many articles.")
@click.option("--store", metavar="URI", help="Where to archive: a path, file:///path or s3://bucket/prefix. "
              "Default: $NEWSARCHIVE_STORE, else ./archive.")
@click.option("--s3-endpoint-url", metavar="URL", help="S3 endpoint (default: $AWS_ENDPOINT_URL, else AWS).")
@click.option("--spool-dir", metavar="DIR", help="Local spool for an S3 store (default under $XDG_CACHE_HOME).")
@click.option("--base-url", metavar="URL", help="Fetch from a mirror of the site (records keep the canonical URLs).")
@click.option("--frontier", metavar="redis://HOST:PORT/DB", help="Share the crawl with other workers through "
              "this Redis (README, 'Scaling out'). Default: $NEWSARCHIVE_FRONTIER, else none.")
@click.option("--refresh", is_flag=True, help="Fetch archived articles again; record edits, revisit the unchanged.")
@click.option("--no-images", is_flag=True, help="Do not fetch articles' photos (NEWSARCHIVE_IMAGES=0).")
@click.option("--no-requisites", is_flag=True,
              help="Do not fetch the site's page requisites: stylesheets, scripts, fonts, icons (NEWSARCHIVE_REQUISITES=0).")
@click.option("--contact", metavar="EMAIL/URL", help="Who runs this crawl, for the site's operators: sent in the "
              "User-Agent and written as the WARC files' operator. Default: $NEWSARCHIVE_CONTACT.")
@click.option("-s", "--set", "extra", multiple=True, metavar="NAME=VALUE", help="Any Scrapy or NEWSARCHIVE_* setting.")
def crawl(since: str | None, until: str | None, sections: str | None, max_articles: int | None, store: str | None,
          s3_endpoint_url: str | None, spool_dir: str | None, base_url: str | None, frontier: str | None,
          refresh: bool, no_images: bool, no_requisites: bool, contact: str | None, extra: tuple[str, ...]) -> int:
    """Archive the Taipei Times: every article listed for the print days, as WARC and JSON records.

    \b
    Without dates: the last two print days (Taipei time), from every section's
    list, the RSS feed, the news sitemap and the JSON list. With --since/--until:
    each print day's section lists and their pages. Articles already archived are
    skipped (use --refresh to fetch them again and catch edits). Each article's
    photos and the site's page requisites are captured too.

    \b
    Examples:
      newsarchive crawl
      newsarchive crawl --since 2024-10-01 --until 2024-10-31 --store s3://archive/taipeitimes
      newsarchive crawl --base-url http://127.0.0.1:8000 --sections front,world --max-articles 50
    """
    from newsarchive.crawl.run import CrawlRun
    from newsarchive.site.urls import Mirror
    from newsarchive.site.window import CrawlWindow
    from newsarchive.spiders.taipeitimes import TaipeiTimesSpider

    CrawlWindow.resolve(since, until, sections)  # what the spider will refuse, refused here in one line
    Mirror(base_url)

    options = dict(store=store, base_url=base_url, s3_endpoint_url=s3_endpoint_url, spool_dir=spool_dir,
                   contact=contact, refresh=refresh, frontier=frontier or os.environ.get("NEWSARCHIVE_FRONTIER"),
                   no_images=no_images, no_requisites=no_requisites, extra_settings=_split_settings(extra))
    settings = build_settings(options)
    if settings.get("NEWSARCHIVE_FRONTIER"):  # redis loads only for a crawl with a frontier
        from newsarchive.crawl.frontier import check_reachable

        check_reachable(settings)
    params = dict(since=since, until=until, sections=sections, max_articles=max_articles, refresh=refresh)
    run = CrawlRun(settings, params)
    run.open()  # store check, lock, recovery: user errors surface here as one line
    try:
        if run.unreachable is None:  # else the run ends at once, reported as SITE_UNREACHABLE
            _run_scrapy(settings, TaipeiTimesSpider, params, run)
    finally:
        run.close()  # no-op if the run's keeper closed it; releases the lock if Scrapy failed early
    click.echo(run.report.summary(), err=True)
    if run.report.exit_code is None:
        return int(Exit.INTERNAL)
    return run.report.exit_code


class QuietThirdParty(logging.Filter):
    """Below WARNING, only newsarchive's own records pass (Scrapy resets its loggers' levels, a filter holds);
    third-party errors keep their one-line message without the traceback."""

    def __init__(self, show_info: bool) -> None:
        super().__init__()
        self.show_info = show_info

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name.startswith("newsarchive")
        if not (ours or self.show_info):
            # a refused connection is a line in a cron mail, not a page of Twisted frames (-v shows them)
            record.exc_info, record.exc_text = None, None
        return record.levelno >= logging.WARNING or self.show_info or ours


def _run_scrapy(settings: Settings, spidercls: type[Spider], params: dict[str, Any], run: CrawlRun) -> None:
    from scrapy.crawler import CrawlerProcess

    verbose = logging.getLogger().getEffectiveLevel()
    # cron mails: our own progress lines, every warning, the summary; Scrapy's chatter only with -v
    logging.basicConfig(level=logging.DEBUG if verbose <= logging.DEBUG else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(QuietThirdParty(show_info=verbose <= logging.INFO))
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spidercls)
    run.attach(crawler)  # the run's keeper (newsarchive.crawl.run.CrawlRunKeeper) takes it from here
    process.crawl(crawler, **{k: v for k, v in params.items() if v not in (None, False)})
    process.start()
