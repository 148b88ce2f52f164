"""Full-text search, filters and exports over the stored records.

`Archive` is the entry point (see newsarchive.search.archive); the index is a
rebuildable local cache of the store's records (newsarchive.search.index).
"""

from newsarchive.search.archive import Archive, ArticleNotFound, Hit
from newsarchive.search.index import SearchIndex, UpdateStats, index_dir_for
from newsarchive.search.query import Filters

__all__ = ["Archive", "ArticleNotFound", "Hit", "Filters", "SearchIndex", "UpdateStats", "index_dir_for"]
