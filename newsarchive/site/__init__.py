"""What the Taipei Times site is, as plain data and functions (no Scrapy): its URLs and sections (`urls`),
how articles are found in its lists, feeds and sitemaps (`discovery`), and which print days and sections a
crawl covers (`window`). The crawl and the offline tools (coverage) share these rules, so "listed by the
site" and "wanted by a crawl" mean one thing everywhere."""
