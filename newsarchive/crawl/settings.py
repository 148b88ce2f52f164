"""Scrapy settings for newsarchive, with every project setting's default documented here.

Polite by default on the real site (robots.txt, AutoThrottle, two requests at a
time, an honest User-Agent); the add-on `newsarchive.crawl.addon` lifts the
brakes when the base URL is on the loopback (tests, demos, benchmarks) and
switches to the shared scheduler when a Redis frontier is set.
"""

from __future__ import annotations

from newsarchive import __version__
from newsarchive.archive.decoding import FEED_LIMIT, PAGE_LIMIT

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["newsarchive.spiders"]
NEWSPIDER_MODULE = "newsarchive.spiders"

# --- newsarchive's own settings (each may be given with -s NAME=VALUE) ---------
#: where the archive goes: a path, file:///path or s3://bucket/prefix; None: $NEWSARCHIVE_STORE or ./archive
NEWSARCHIVE_STORE = None
#: S3 endpoint (else the standard AWS_ENDPOINT_URL, else AWS)
NEWSARCHIVE_S3_ENDPOINT_URL = None
#: local spool for S3 stores (default: under $XDG_CACHE_HOME/newsarchive)
NEWSARCHIVE_SPOOL_DIR = None
#: fetch from a mirror of the site instead of https://www.taipeitimes.com
NEWSARCHIVE_BASE_URL = None
#: who runs this crawler (an e-mail address or a URL): sent in the User-Agent and written as the WARC files' `operator`;
#: None: $NEWSARCHIVE_CONTACT, else none (a crawl of the real site then logs one warning)
NEWSARCHIVE_CONTACT = None
#: WARC files rotate at this size (bytes)
NEWSARCHIVE_WARC_MAX_SIZE = 1_000_000_000
#: gzip level of WARC records (6: 2.6x faster than 9 for 0.6 % more bytes)
NEWSARCHIVE_WARC_GZIP_LEVEL = 6
#: re-fetch articles already archived (revisit records when unchanged)
NEWSARCHIVE_REFRESH = False
#: processes parsing articles beside the crawl (0: parse in the crawl process)
NEWSARCHIVE_PARSE_WORKERS = 1
#: the share of fetched articles that may fail to parse before a layout change is suspected
NEWSARCHIVE_LAYOUT_FAILURE_RATIO = 0.5
#: ... counted only once at least this many articles failed to parse
NEWSARCHIVE_LAYOUT_MIN_FAILURES = 5
#: a response larger than this is cut and recorded as truncated (WARC-Truncated: length)
NEWSARCHIVE_MAX_RESPONSE_SIZE = 20 * 1024 * 1024
#: take the store's lock (off for workers sharing a Redis frontier, which coordinate there)
NEWSARCHIVE_LOCK = True
#: Redis URL (redis://HOST:PORT/DB) of a frontier shared by several workers (README, "Scaling out"); None: one process
NEWSARCHIVE_FRONTIER = None
#: seconds a worker may go without a heartbeat before its in-flight requests are handed to the others
NEWSARCHIVE_FRONTIER_LEASE_TTL = 30
#: seconds between a worker's heartbeats (and its checks for new work or the end of the crawl)
NEWSARCHIVE_FRONTIER_TICK = 0.5
#: seconds the shared queue must stay empty, with no worker busy, before the crawl counts as finished
NEWSARCHIVE_FRONTIER_GRACE = 2.0
#: at the end of a crawl, how long to wait for spooled captures to reach an S3 store before exiting SPOOLED (11)
NEWSARCHIVE_FLUSH_TIMEOUT = 60
#: fetch and capture every archived article's photos (the record's `images` get capture pointers); --no-images: off
NEWSARCHIVE_IMAGES = True
#: capture the site's own page requisites (stylesheets, scripts, fonts, icons) once per crawl; --no-requisites: off
NEWSARCHIVE_REQUISITES = True
#: a requisite the site declared fresh (Cache-Control max-age, Expires) is not fetched again for at most this many seconds
NEWSARCHIVE_ASSETS_MAX_FRESH = 30 * 24 * 3600
#: seconds between progress lines in logs (when stderr is not a terminal)
NEWSARCHIVE_PROGRESS_INTERVAL = 30
#: at most this many seconds to wait for a Retry-After before giving up the retry
NEWSARCHIVE_MAX_RETRY_AFTER = 120
#: base of the exponential retry backoff, in seconds
NEWSARCHIVE_RETRY_BACKOFF = 1.0

# --- limits: what a hostile site can make a crawl hold (README, "Reliability") ----------
# Hitting one is a failure in the run report with the limit's name in its reason, counted under `limits_hit`;
# the crawl goes on with everything else. The response that hit it stays captured in WARC as received.
#: decoded size (bytes) of an article page, HTML list page or robots.txt: the parser needs ~160x a page in memory
NEWSARCHIVE_MAX_PAGE_SIZE = PAGE_LIMIT
#: decoded size (bytes) of an RSS feed, sitemap or JSON list page
NEWSARCHIVE_MAX_FEED_SIZE = FEED_LIMIT
#: pages followed per list (a section's list for one print day: the first page and those it paginates to)
NEWSARCHIVE_MAX_LIST_PAGES = 50
#: article links followed per list page, feed, sitemap or JSON list page
NEWSARCHIVE_MAX_ARTICLES_PER_LIST_PAGE = 1000
#: response headers per response (Twisted's client parser has no limit of its own)
NEWSARCHIVE_MAX_HEADER_COUNT = 500
#: bytes of a response's status line and headers
NEWSARCHIVE_MAX_HEADER_BYTES = 256 * 1024

# --- a site that is not there (README, "Reliability") -----------------------------------
#: before the crawl: seconds each of the name lookup and the TCP connection to the site may take
NEWSARCHIVE_PROBE_TIMEOUT = 8.0
#: until the site has answered once, a request gives up after this many seconds and is not retried
NEWSARCHIVE_FIRST_RESPONSE_TIMEOUT = 8.0
#: ... and after this many such failures, with not one response, the crawl ends as SITE_UNREACHABLE (13)
NEWSARCHIVE_UNREACHABLE_AFTER = 2

# --- politeness ------------------------------------------------------------------
#: the add-on appends "; contact: <NEWSARCHIVE_CONTACT>" inside the parentheses (newsarchive.crawl.addon.user_agent)
USER_AGENT = f"newsarchive/{__version__} (archival crawler)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# the cap is ours (captured as truncated); Scrapy's own limit stays above it
DOWNLOAD_MAXSIZE = 0
DOWNLOAD_WARNSIZE = 0
# a body shorter than its Content-Length is kept (and marked truncated), not thrown away
DOWNLOAD_FAIL_ON_DATALOSS = False

ADDONS = {"newsarchive.crawl.addon.NewsarchiveAddon": 0}

# What this crawler does not use is off: every component costs each of a crawl's requests. Scrapy's *_BASE lists
# are replaced, not patched with None: Scrapy imports every class a component dict names, enabled or not, so a
# disabled RemoteControl still cost aiohttp's import (~0.1 s a start; tests/test_crawl_imports.py). Not
# here, so not switched on by a setting alone: cookies (COOKIES_ENABLED = False), HTTP auth, meta refresh, the
# HTTP cache, Scrapy's own offsite, retry and redirect (ours replace them), URL length, depth and meta-copy
# checks, the telnet console and the HTTP control port (an unattended archive opens no port), the memory
# debugger and the periodic stats log (LOGSTATS_INTERVAL = 0).
# only the site is fetched, over http(s): no data:, file:, s3: or ftp: handler
DOWNLOAD_HANDLERS_BASE = {
    "http": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
    "https": "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler",
}
DOWNLOADER_MIDDLEWARES_BASE = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware": 350,
    "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": 400,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": 850,
}
DOWNLOADER_MIDDLEWARES = {
    "newsarchive.crawl.middleware.MirrorMiddleware": 50,  # refuses every host but the site (Scrapy's offsite's job)
    "newsarchive.crawl.revisits.UrlStateMiddleware": 110,  # after robots.txt: lists' and requisites' last captures
    "newsarchive.crawl.middleware.BackoffRetryMiddleware": 545,  # instead of RetryMiddleware
    "newsarchive.crawl.middleware.SafeRedirectMiddleware": 590,  # instead of RedirectMiddleware
    # decoding with a limit, instead of HttpCompressionMiddleware (Scrapy's has none while DOWNLOAD_MAXSIZE is 0)
    "newsarchive.crawl.decompression.BoundedDecompressionMiddleware": 585,
}
# Scrapy's HTTP/1.1 handler, with limits on response headers
DOWNLOAD_HANDLERS = {
    "http": "newsarchive.crawl.headers.HeaderLimitedDownloadHandler",
    "https": "newsarchive.crawl.headers.HeaderLimitedDownloadHandler",
}
SPIDER_MIDDLEWARES_BASE = {
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": 50,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": 700,
}
SPIDER_MIDDLEWARES = {
    # closest to the spider: any error while reading a list is that list's failure, never a silent drop
    "newsarchive.crawl.listfailures.ListFailureMiddleware": 1000,
}
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.feedexport.FeedExporter": 0,
    "scrapy.extensions.spiderstate.SpiderState": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,
}
EXTENSIONS = {
    "newsarchive.crawl.run.CrawlRunKeeper": 0,  # first: the others use the run it opens
    "newsarchive.crawl.capture.WarcCapture": 100,
    "newsarchive.crawl.progress.CrawlProgress": 200,
}
ITEM_PIPELINES = {
    "newsarchive.pipelines.parse.ParsePipeline": 100,
    "newsarchive.pipelines.records.RecordPipeline": 200,
}
# the article id, not the URL, identifies an article: one fetch per id
REQUEST_FINGERPRINTER_CLASS = "newsarchive.crawl.fingerprint.ArticleFingerprinter"

# items are few per response (one article page gives one); Scrapy starts this many tasks per callback output
CONCURRENT_ITEMS = 8

LOG_LEVEL = "INFO"
# one line per dropped or failed item (id, URL, reason), never the item: it carries the page
LOG_FORMATTER = "newsarchive.crawl.logformat.OneLineLogFormatter"
LOGSTATS_INTERVAL = 0
FEED_EXPORT_ENCODING = "utf-8"
