"""What runs inside Scrapy: settings and the add-on that derives some of them, the run and the extension
that owns it (`run`), WARC capture at the wire (`capture`), downloader middlewares, the request
fingerprint, progress, the verdict (exit code) of a crawl, and the shared Redis frontier. The spider
(newsarchive.spiders) and the item pipelines (newsarchive.pipelines) sit beside, at the project's top level."""
