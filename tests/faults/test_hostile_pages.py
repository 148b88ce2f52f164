"""Pages are untrusted input: what a list, an article or a feed contains must not steer a fetch or a write.

Each test serves hostile pages from the real local site (planted at the URLs
the crawl asks for) and crawls it for real: the proof is what reached the
network (a canary server on another port counts every request) and what
reached the disk (every file in the store has a key of the documented layout,
nothing appeared beside the store).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsarchive.exitcodes import Exit
from tests.faults.conftest import Crawl, FaultSite, assert_store_layout, crawl
from tests.site.corpus import Corpus, default_days
from tests.site.pages import article_page, list_page
from tests.site.routes import RSS, XML
from tests.support.archive_contents import leftovers, records, warc_records

pytestmark = pytest.mark.e2e

#: an id the corpus does not have, claimed by a page as its own
OTHER_ID = "2003634936"
#: an id the site does not serve, named by the traversal links
GHOST_ID = "2000000001"


@pytest.fixture
def canary(make_fault_site: Callable[..., FaultSite]) -> FaultSite:
    """Another host (port) on the loopback: a private address with a listener; any hit means a fetch got out."""
    return make_fault_site(per_section=1)


def hostile_links(site: FaultSite, canary: FaultSite, victim_id: str) -> list[str]:
    day = f"{site.day:%Y/%m/%d}"
    off_host = f"/News/world/archives/{day}/{victim_id}"
    return [
        "/News/world/archives/2024/01/01/../../../../etc/x",
        f"/News/world/archives/{day}/{GHOST_ID}/../../x",
        f"News/world/archives/{day}/../../../../../../../etc/passwd",
        f"/News/world/archives/{day}/..%2F..%2F..%2Fetc%2Fx",
        f"/News/world/archives/{day}/%2e%2e/%2e%2e/{GHOST_ID}",
        # still an article link (the id is whole): fetched from the site as linked, filed by the id alone
        f"/News/world/archives/{day}/{GHOST_ID}%2F..%2F..%2Fx",
        "/News/world/archives/2024/01/01/..\\..\\..\\x",
        # the same article on other hosts, linked before its real link: neither fetched nor able to shadow it
        canary.url(off_host), "//" + canary.base_url.split("//", 1)[1] + off_host,
        f"http://169.254.169.254{off_host}", f"http://[::ffff:a9fe:a9fe]{off_host}", f"file://{off_host}",
    ]


def claimed(site: FaultSite, article_id: str, claim: str) -> str:
    """The article's page, its og:url, JSON-LD url and every other self-reference replaced by `claim`."""
    article = site.corpus[article_id]
    return article_page(site.corpus, article).replace(article.url, claim)


@dataclass
class HostileRun:
    site: FaultSite
    canary: FaultSite
    root: Path  # the folder the store was made in: nothing may appear there but the store
    store: Path
    done: Crawl


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    """One crawl of a site whose world list links traversal paths and other hosts, and two of whose pages claim
    traversal URLs as their own."""
    site = FaultSite(Corpus(days=default_days(1), per_section=3)).start()
    canary = FaultSite(Corpus(days=default_days(1), per_section=1)).start()
    try:
        world = site.corpus.on(site.day, "world")
        victim, liar, dotter = world[0], world[1], world[2]
        links = "".join(f'<li><a href="{href}">x</a></li>' for href in hostile_links(site, canary, victim.id))
        page = list_page(site.corpus, "world", site.day, 1, True)
        site.plant(site.list_target("world"),
                   page.replace('<ul class="searchbox">', f'<ul class="searchbox">{links}', 1))
        day = f"{site.day:%Y/%m/%d}"
        site.plant(liar.path(), claimed(site, liar.id,
                                        f"https://www.taipeitimes.com/News/world/archives/{day}/{OTHER_ID}/../../../../x"))
        site.plant(dotter.path(), claimed(site, dotter.id, f"https://www.taipeitimes.com/News/world/archives/{day}/"
                                                           "../../../../../etc/passwd"))
        root = tmp_path_factory.mktemp("hostile")
        store = root / "archive"
        yield HostileRun(site, canary, root, store, crawl(site, store))
    finally:
        canary.stop()
        site.stop()


def test_traversal_links_and_claims_never_leave_the_layout(hostile_run: HostileRun) -> None:
    done, store = hostile_run.done, hostile_run.store
    # the one article link among the traversals names an id the site does not have: a 404, reported
    assert done.code == Exit.PARTIAL, done.result
    liar = hostile_run.site.corpus.on(hostile_run.site.day, "world")[1]
    assert done.failures() == {GHOST_ID: "HTTP 404",
                               liar.id: f"page declares article {OTHER_ID} but was fetched as {liar.id}"}
    assert_store_layout(store)
    assert leftovers(store) == []
    # nothing was written beside the store, let alone at the traversal targets
    assert os.listdir(hostile_run.root) == ["archive"]


def test_a_page_claiming_another_id_cannot_write_that_record(hostile_run: HostileRun) -> None:
    site = hostile_run.site
    got = records(hostile_run.store)
    world = site.corpus.on(site.day, "world")
    liar, dotter = world[1], world[2]
    # "…/2003634936/../../../../x" names another valid id: refused, so no page can overwrite another's record
    assert OTHER_ID not in got and liar.id not in got
    assert any(r.url == site.url(liar.path()) for r in warc_records(hostile_run.store) if r.type == "response")
    # "…/../../etc/passwd" names no article: the link the crawl followed identifies the page
    assert got[dotter.id]["url"] == dotter.url
    assert set(got) == site.expected_ids() - {liar.id}


def test_links_to_other_hosts_are_not_followed_nor_shadow_the_real_link(hostile_run: HostileRun) -> None:
    site, store = hostile_run.site, hostile_run.store
    assert hostile_run.canary.total_hits() == 0
    victim = site.corpus.on(site.day, "world")[0]
    assert victim.id in records(store)
    fetched = {r.url for r in warc_records(store) if r.type in ("request", "response")}
    assert all(u.startswith(site.base_url + "/") for u in fetched), sorted(fetched)
    assert not any("etc" in u.split("?")[0].split("/") for u in fetched)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><item><link>&lol9;</link></item></rdf:RDF>
"""


def external_entity(target: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "{target}">]>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&xxe;</loc></url></urlset>\n'
            ).encode()


def external_dtd(target: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf SYSTEM "{target}">\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n').encode()


#: the malformed feed still names an article: a lenient parser would have "found" it
MALFORMED = b'<?xml version="1.0"?><urlset><url><loc>https://www.taipeitimes.com/News/world/archives/2024/01/01/2003634936</loc></url'


@pytest.mark.parametrize("bombs", ["entities", "external"])
def test_unsafe_and_malformed_feeds_are_refused_and_the_crawl_goes_on(
        fault_site: FaultSite, canary: FaultSite, tmp_path: Path, bombs: str) -> None:
    site = fault_site
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("TOKEN-read-by-an-external-entity")
    if bombs == "entities":  # the two feeds the daily crawl reads: entity expansion, a malformed document
        planted = {"/xml/index.rss": (BILLION_LAUGHS, RSS), "/sitemap/sitemap.xml": (MALFORMED, XML)}
        reasons = {"/xml/index.rss": "unsafe XML refused", "/sitemap/sitemap.xml": "malformed XML"}
    else:  # external entities: a local file, and a DTD from another host
        planted = {"/xml/index.rss": (external_dtd(canary.url("/evil.dtd")), RSS),
                   "/sitemap/sitemap.xml": (external_entity(secret_file.as_uri()), XML)}
        reasons = {"/xml/index.rss": "unsafe XML refused", "/sitemap/sitemap.xml": "unsafe XML refused"}
    for target, (body, content_type) in planted.items():
        site.plant(target, body, content_type)
    store = tmp_path / "archive"
    done = crawl(site, store, backfill=False)
    # refused feeds are list failures: a source that could not be read may hide articles, so the run is PARTIAL
    # (the articles the other lists name are all archived)
    assert done.code == Exit.PARTIAL, done.result
    failures = {f["url"].removeprefix("https://www.taipeitimes.com"): f["reason"]
                for f in done.report()["failures"] if f["kind"] == "list"}
    assert set(failures) == set(reasons)
    for target, words in reasons.items():
        assert words in failures[target], failures
    assert done.report()["counts"]["list_failures"] == len(reasons)
    assert set(records(store)) >= site.expected_ids()
    assert OTHER_ID not in records(store)
    assert canary.total_hits() == 0
    assert not any(b"TOKEN-read-by-an-external-entity" in p.read_bytes() for p in store.rglob("*") if p.is_file())
    assert done.peak_rss < 400 * 1024 * 1024  # no expansion happened (a billion laughs needs gigabytes)
