"""The offline tools: they read (and `reparse` rewrites) a store without the network or Scrapy.

`verify` proves the archive whole, `reparse` rebuilds records from captures with
the current parser, `coverage` compares what the site listed with what is
archived. They share the site's rules (newsarchive.site) with the crawl, never
the crawl's code.
"""
