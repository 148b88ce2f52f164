"""The archive as it lies in a store: the key layout (`keys`, a public contract), WARC files written
(`warc`), closed and recovered (`recovery`) and read back (`warcread`), JSON records and their history
(`records`), what the crawl remembers (`state`), the crawl lock (`lock`) and run reports (`report`).
Nothing here knows Scrapy: the crawl and the offline tools both build on it."""
