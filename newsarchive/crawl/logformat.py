"""Log lines about items: one line each, naming the article, never printing the item.

Scrapy's own formatter logs a dropped item as `Dropped: <reason>` followed by
the whole item, and the crawl's item carries the page it was made from until
its record is written: one refused 1 GiB page became 2.1 GB of stderr, which
cron mails. Here every line about an item is its id, the URL it came from and
a reason cut to one short line, so a crawl's log grows with its events, never
with the size of a page.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, logformatter
from scrapy.http import Response
from twisted.python.failure import Failure

#: longest reason kept on a line (the run report has the whole one)
MAX_REASON = 300
#: longest URL kept on a line
MAX_URL = 500


def one_line(value: object, limit: int = MAX_REASON) -> str:
    """`value` as text on one line, at most `limit` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _who(item: Any) -> dict[str, str]:
    get = item.get if isinstance(item, dict) else (lambda name, default=None: getattr(item, name, default))
    return {"id": one_line(get("id") or "-", 40),
            "url": one_line(get("fetched_url") or get("canonical") or "-", MAX_URL)}


class OneLineLogFormatter(logformatter.LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Response | Failure | None,
                spider: Spider) -> logformatter.LogFormatterResult:
        result = super().dropped(item, exception, response, spider)  # keeps Scrapy's choice of level
        return {"level": result["level"], "msg": "Dropped %(id)s %(url)s: %(reason)s",
                "args": {**_who(item), "reason": one_line(exception)}}

    def item_error(self, item: Any, exception: BaseException, response: Response | Failure | None,
                   spider: Spider) -> logformatter.LogFormatterResult:
        return {"level": logging.ERROR, "msg": "Error processing %(id)s %(url)s: %(reason)s",
                "args": {**_who(item), "reason": one_line(f"{type(exception).__name__}: {exception}")}}

    def scraped(self, item: Any, response: Response | Failure | None,
                spider: Spider) -> logformatter.LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "Scraped %(id)s %(url)s", "args": _who(item)}
