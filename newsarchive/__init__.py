"""newsarchive: the archive of record for the Taipei Times.

Crawls are kept twice: the raw HTTP exchange as WARC and a clean JSON record per
article, in a local folder or an S3-compatible bucket.
"""

__version__ = "0.1.0"
