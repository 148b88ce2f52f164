"""The project's one local copy of the Taipei Times site, for tests, demos and benchmarks.

    corpus = Corpus()                    # the last 7 print days, seeded
    with SiteServer(corpus) as site:     # http://127.0.0.1:<free port>
        ...crawl site.base_url, compare records with corpus[id].expected_record()
        site.hits, site.article_hits(id), site.reset_hits()      # also GET /__site/hits
        site.inject("/News/world", Fault.error(500, times=2))     # also POST /__site/fault
        corpus.edit(id, body=[...]); corpus.add_article("world")  # the site changes

Fixtures (tests/plugins/site.py): site_corpus, site (session, read-only),
fresh_site and make_site(**corpus_kwargs) (per test, to edit and break).
"""

from tests.site.corpus import Corpus, SiteArticle
from tests.site.faults import Fault
from tests.site.server import SiteServer

__all__ = ["Corpus", "Fault", "SiteArticle", "SiteServer"]
