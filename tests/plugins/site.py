"""The local copy of the site, as fixtures.

`site` is shared by the whole session, so tests must not change it; tests
that edit articles or inject faults take `fresh_site` (their own small
corpus and server) or build one with `make_site`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.site.corpus import Corpus, default_days
from tests.site.server import SiteServer

#: small enough to build per test in a few milliseconds, big enough for lists to paginate
FRESH_DAYS = 2
FRESH_PER_SECTION = 3


@pytest.fixture(scope="session")
def site_corpus() -> Corpus:
    """The default corpus (last 7 Taipei print days, seed 0) plus the seed article's day."""
    return Corpus.with_seed()


@pytest.fixture(scope="session")
def site(site_corpus: Corpus) -> Iterator[SiteServer]:
    with SiteServer(site_corpus) as server:
        yield server


@pytest.fixture
def make_site() -> Iterator[Callable[..., SiteServer]]:
    """make_site(**Corpus kwargs) -> a started server over a new corpus, stopped after the test.

    `server_cls` picks a SiteServer subclass (the fault suite's records request times and plants pages)."""
    servers: list[SiteServer] = []

    def make(server_cls: type[SiteServer] = SiteServer, **corpus_kwargs: Any) -> SiteServer:
        server = server_cls(Corpus(**corpus_kwargs)).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def fresh_site(make_site: Callable[..., SiteServer]) -> SiteServer:
    """A site of its own (last 2 days, 3 articles a section a day) to edit and break."""
    return make_site(days=default_days(FRESH_DAYS), per_section=FRESH_PER_SECTION)
