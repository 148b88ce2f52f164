"""The project's one local copy of the Taipei Times site, for tests, demos and benchmarks.

    corpus = Corpus()                    # the last 7 print days, seeded
    with SiteServer(corpus) as site:     # http://127.0.0.1:<free port>
        ...crawl site.base_url, compare records with corpus[id].expected_record()
"""

from tests.site.corpus import Corpus, SiteArticle
from tests.site.faults import Fault
from tests.site.server import SiteServer

__all__ = ["Corpus", "Fault", "SiteArticle", "SiteServer"]
