"""Full-text search, counts, concordances, filters and exports over the stored records.

`Archive` is the entry point (see newsarchive.search.archive); the index is a
rebuildable local cache of the store's records (newsarchive.search.index).
"""

from newsarchive.search.archive import Archive, ArticleNotFound, Concordance, Hit, Hits
from newsarchive.search.counts import Bucket, Counts
from newsarchive.search.filters import Filters
from newsarchive.search.index import SearchIndex, UpdateStats, index_dir_for
from newsarchive.search.kwic import KwicLine
from newsarchive.search.snippets import Snippet

__all__ = ["Archive", "ArticleNotFound", "Bucket", "Concordance", "Counts", "Filters", "Hit", "Hits", "KwicLine",
           "SearchIndex", "Snippet", "UpdateStats", "index_dir_for"]
