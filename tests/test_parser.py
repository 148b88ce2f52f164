"""The article parser against saved pages: every fixture field by field, the seed, and each trap on its own.

Fixtures (tests/fixtures/articles/<layout>@<version>/<case>/page.html +
record.json, read through tests/support/article_fixtures.py) are full pages in
the current template; the expected records were written from TAIPEI_TIMES.md,
not from the parser's output (see generate.py there).
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from newsarchive.article import FIELDS, Article
from newsarchive.errors import NotAnArticle
from newsarchive.parser import LAYOUTS, parse_article
from newsarchive.parser.current import CurrentLayout
from tests.support.article_fixtures import CURRENT, ArticleFixture, article_fixture, article_fixtures

FIXTURES = article_fixtures()
NAMES = [fixture.case for fixture in article_fixtures(CURRENT)]
SEED = "seed_world_2003634936"
URL = "https://www.taipeitimes.com/News/front/archives/2024/10/16/2003825372"


def page(name: str) -> str:
    return article_fixture(name).page()


def expected(name: str) -> dict:
    return article_fixture(name).record()


def differences(want: dict, got: dict) -> list[str]:
    return [f"{field}: expected {want[field]!r}, got {got.get(field)!r}"
            for field in want if want[field] != got.get(field)]


def test_fixtures_cover_every_section() -> None:
    assert {expected(n)["section_slug"] for n in NAMES} == {
        "front", "taiwan", "biz", "editorials", "sport", "world", "feat", "lang"}


def test_fixtures_are_keyed_by_the_layout_that_reads_them() -> None:
    """A fixture's folder is the parser id its record names, and that is a layout the parser has."""
    assert FIXTURES and {f.layout for f in FIXTURES} <= {layout.parser_id() for layout in LAYOUTS}
    for fixture in FIXTURES:
        assert fixture.record()["parser"] == fixture.layout, fixture


@pytest.mark.parametrize("fixture", FIXTURES, ids=str)
def test_fixture_record_field_by_field(fixture: ArticleFixture) -> None:
    want = fixture.record()
    assert list(want) == list(FIELDS), "fixture JSON must hold the full record, in record order"
    got = parse_article(fixture.page()).to_record()
    assert not differences(want, got), f"{fixture}:\n  " + "\n  ".join(differences(want, got))


@pytest.mark.parametrize("name", NAMES)
def test_region_soup_reads_like_whole_page_soup(name: str) -> None:
    """The speed trick (a soup of the regions only) must not change a single field."""
    whole = CurrentLayout.extract(BeautifulSoup(page(name), "lxml")).to_record()
    assert parse_article(page(name)).to_record() == whole


def test_bytes_and_text_give_the_same_record() -> None:
    html = page(SEED)
    assert parse_article(html.encode("utf-8")) == parse_article(html)


def test_bad_utf8_bytes_are_replaced_not_fatal() -> None:
    raw = page(SEED).encode("utf-8").replace(b"Russia has given mixed", b"Russia has \xff\xfe given mixed")
    body = parse_article(raw).body
    assert "Russia has \ufffd\ufffd given mixed messages on the Free Syrian Army." in body


# --- the seed ------------------------------------------------------------------------------------


def test_seed_article_every_field_the_seed_shows() -> None:
    """What seed/000_6485c7285fe31a2d.txt shows, field by field, from its page in the current template."""
    article = parse_article(page(SEED))
    assert article.id == "2003634936"
    assert article.url == "https://www.taipeitimes.com/News/world/archives/2015/12/16/2003634936"
    assert (article.section, article.section_slug) == ("World News", "world")
    assert (article.published, article.print_page) == ("2015-12-16", 7)  # "Wed, Dec 16, 2015 - Page 7"
    assert article.headline == "Kerry seeks Syria progress in Moscow"
    assert article.kicker == "DIVISIVE"
    assert article.deck == ("The US needs to rethink its policy of ‘dividing terrorists into good and bad ones,’ "
                            "the Russian Ministry of Foreign Affairs said in a statement before Kerry arrived")
    assert article.byline == "Reuters, MOSCOW"
    assert (article.authors, article.agencies, article.dateline) == ([], ["Reuters"], "MOSCOW")
    assert len(article.body) == 19
    assert article.body[0].startswith("US Secretary of State John Kerry said he wanted to use a visit to Moscow")
    assert article.body[-1].endswith("while a top Kremlin aide later said there was no such arrangement.")
    assert article.translator is None and article.images == []
    assert article.word_count == sum(len(p.split()) for p in article.body)
    assert (article.language, article.parser) == ("en", "taipeitimes/current@1")


def test_seed_view_counter_and_comment_policy_are_not_body() -> None:
    html = page(SEED)
    assert "This story has been viewed 1965 times." in html and "Comments will be moderated." in html
    text = " ".join(parse_article(html).body)
    assert "viewed 1965 times" not in text and "Comments will be moderated" not in text


def test_furniture_is_dropped_only_as_a_whole_paragraph() -> None:
    sentence = "Comments will be moderated more strictly, the ministry said, after abuse on its page."
    html = page(SEED).replace("<p>This story has been viewed 1965 times.</p>",
                              "<p>This story has been viewed 1,965 times.</p>"
                              "<p>Comments will be moderated. Keep comments relevant to the article.</p>"
                              f"<p>{sentence}</p>")
    body = parse_article(html).body
    assert body[-1] == sentence
    assert not any("viewed" in p for p in body)


# --- the traps, one at a time ---------------------------------------------------------------------


def test_photo_caption_h1_is_never_the_headline() -> None:
    html = page("front_two_authors_three_photos")
    article = parse_article(html)
    assert article.headline == "China ends ‘Joint Sword’ drills around Taiwan"
    captions = [image.caption for image in article.images]
    assert len(captions) == 3 and article.headline not in captions
    assert not set(captions) & set(article.body)


def test_photo_credit_paragraph_is_not_body() -> None:
    article = parse_article(page("world_afp_manila"))
    assert article.images[0].credit == "AFP"
    assert not any(p.startswith("Photo") for p in article.body)


def test_ads_between_paragraphs_are_skipped_and_body_continues() -> None:
    html = page("front_two_authors_three_photos")
    assert "displayDFP('ad-IR1'" in html
    html = html.replace("displayDFP('ad-IR1','m');</script>", "displayDFP('ad-IR1','m');</script><p>Advertisement</p>")
    body = parse_article(html).body
    assert len(body) == 6 and "Advertisement" not in body and not any("displayDFP" in p for p in body)


def test_share_buttons_and_byline_list_are_not_body() -> None:
    body = parse_article(page("taiwan_three_authors")).body
    assert not {"Share", "Tweet", "Print", "A+", "A-"} & set(body)
    assert not any("Nadia Tsao" in p for p in body)


def test_related_boxes_h6_bylines_are_never_read() -> None:
    """"You might also like" carries `<h6>By Ben Blanchard \\nand Yimou Lee </h6>`; editorials have no byline."""
    html = page("editorials_no_byline_translator")
    assert "<h6>By Ben Blanchard \nand Yimou Lee </h6>" in html
    article = parse_article(html)
    assert article.byline is None and article.authors == [] and article.agencies == []


def test_print_date_h6_is_the_one_before_the_article() -> None:
    """Without its own date line the page falls back to the URL date, not to an h6 further down."""
    html = re.sub(r"<h6>Wed, Oct 16, 2024 page1</h6>", "", page("front_two_authors_three_photos"))
    html = html.replace("<h6>Staff writer, with CNA</h6>", "<h6>Fri, Jan 03, 2020 page9</h6>")
    article = parse_article(html)
    assert (article.published, article.print_page) == ("2024-10-16", None)


def test_deck_with_kicker_padding_is_collapsed() -> None:
    html = page("world_afp_manila")
    assert '<font class="red ">SHOAL STANDOFF:</font>\n' in html
    article = parse_article(html)
    assert article.kicker == "SHOAL STANDOFF"
    assert article.deck.startswith("Manila said") and "  " not in article.deck and "\n" not in article.deck


def test_kicker_colon_outside_the_label_and_full_width() -> None:
    html = page("world_afp_manila").replace('<font class="red ">SHOAL STANDOFF:</font>',
                                            '<font class="red ">SHOAL STANDOFF</font>：')
    article = parse_article(html)
    assert article.kicker == "SHOAL STANDOFF" and article.deck.startswith("Manila said")


def test_mid_article_h2_is_not_a_deck() -> None:
    html = page("taiwan_spaced_byline_no_deck").replace(
        "<p>Passengers are advised", "<h2>Extra trains</h2><p>Passengers are advised")
    article = parse_article(html)
    assert article.deck is None and article.kicker is None


def test_related_box_class_archivesd_is_not_the_article() -> None:
    html = page("world_afp_manila").replace('<div class="archives">', '<div class="article-gone">')
    with pytest.raises(NotAnArticle, match="unknown layout"):
        parse_article(html)


def test_translator_credit_leaves_the_body() -> None:
    article = parse_article(page("editorials_no_byline_translator"))
    assert article.translator == "Eddy Chang"
    assert not any("Eddy Chang" in p for p in article.body)


def test_translator_only_from_the_closing_paragraph() -> None:
    html = page("editorials_no_byline_translator").replace(
        "<p>（by Eddy Chang）</p>", "<p>（by Eddy Chang）</p><p>A final word from the editors.</p>")
    article = parse_article(html)
    assert article.translator is None and "（by Eddy Chang）" in article.body


def test_chinese_text_curly_quotes_and_nbsp() -> None:
    article = parse_article(page("taiwan_staff_writer_cna_chinese"))
    assert "(Jhongye Island, 中業島)" in article.body[0]
    assert article.body[2].startswith("“We respect freedom of navigation,”")
    spaced = parse_article(page("taiwan_spaced_byline_no_deck")).body
    assert spaced[0] == "Taipei Rapid Transit Corp said trains would run for 42 hours straight from Dec. 31."
    assert not any("\u00a0" in p or "  " in p for p in spaced)


def test_missing_parts_are_null_not_errors() -> None:
    article = parse_article(page("taiwan_brief_minimal_head"))
    assert (article.kicker, article.deck, article.byline, article.translator) == (None, None, None, None)
    assert (article.published_at, article.modified_at, article.images) == (None, None, [])
    assert article.section == "Taiwan News"  # from the breadcrumb: no article:section, no JSON-LD


# --- identity: URL, section, dates ----------------------------------------------------------------


def _strip_identity(html: str) -> str:
    html = re.sub(r'<meta property="og:url"[^>]*>', "", html)
    return re.sub(r'<script type="application/ld\+json">\{\s*"@context": "https://schema.org",\s*"@type": '
                  r'"NewsArticle".*?</script>', "", html, flags=re.S)


def test_url_from_caller_when_the_page_names_none() -> None:
    html = _strip_identity(page("front_two_authors_three_photos"))
    with pytest.raises(NotAnArticle, match="no article URL"):
        parse_article(html)
    article = parse_article(html, url="http://127.0.0.1:8080/News/front/archives/2024/10/16/2003825372?x=1")
    assert (article.id, article.url) == ("2003825372", URL)


def test_page_url_wins_over_the_callers() -> None:
    article = parse_article(page("front_two_authors_three_photos"),
                            url="https://www.taipeitimes.com/News/world/archives/2024/10/15/2003825999")
    assert article.url == URL


def test_url_from_json_ld_when_no_og_url() -> None:
    assert parse_article(page("biz_bloomberg_jsonld_url")).url.endswith("/News/biz/archives/2024/10/17/2003825420")


def test_json_ld_of_another_article_is_ignored() -> None:
    other = ('<script type="application/ld+json">{"@type": "NewsArticle", "url": '
             '"https://www.taipeitimes.com/News/world/archives/2024/10/12/2003825316", "headline": "x", '
             '"datePublished": "2024-10-12T00:00:00+08:00", "articleSection": "World News"}</script>')
    html = page("taiwan_brief_minimal_head").replace('<div class="dbox2 archivesd">', other + '<div class="dbox2 archivesd">')
    article = parse_article(html)
    assert (article.section, article.published_at) == ("Taiwan News", None)


def test_timestamps_need_an_offset() -> None:
    html = page("world_afp_manila").replace('content="2024-10-16T00:00:00+08:00"', 'content="2024-10-16T00:00:00"')
    html = html.replace('"datePublished": "2024-10-16T00:00:00+08:00"', '"datePublished": "yesterday"')
    assert parse_article(html).published_at is None
    assert parse_article(page("world_afp_manila")).published_at == "2024-10-16T00:00:00+08:00"


def test_parser_names_its_layout_and_version() -> None:
    assert [layout.parser_id() for layout in LAYOUTS] == ["taipeitimes/current@1"]
    assert isinstance(parse_article(page(SEED)), Article)


# --- not articles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("data, reason", [
    (b"", "empty page"),
    (b"  \n\t ", "empty page"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary"),
    (bytes(range(256)) * 8, "binary"),
    ("Wed, Dec 16, 2015 - Page 7 News List\n\nKerry seeks Syria progress in Moscow", "plain text"),
    ("<html><head><title>Example Domain</title></head><body><h1>Example</h1></body></html>",
     "not a Taipei Times page"),
    ('<html><head><base href="https://www.taipeitimes.com/"><meta property="og:url" '
     'content="https://www.taipeitimes.com/News/world"><title>World News - Taipei Times</title></head>'
     '<body><div class="archives2"><h2>A list</h2></div></body></html>', "not an article page"),
    ('<html><head><meta property="og:url" content="https://www.taipeitimes.com/News/world/archives/2024/10/16/'
     '2003825390"></head><body><article><h1>Redesigned</h1><p>Text</p></article></body></html>',
     "unknown layout"),
    ('<html><head><meta property="og:url" content="https://www.taipeitimes.com/News/world/archives/2024/10/16/'
     '2003825390"></head><body><div class="archives"><h1>  \u00a0 </h1><p>Text</p></div><div class="fbsbox"></div></body></html>',
     "empty headline"),
])
def test_not_an_article_says_why(data: bytes | str, reason: str) -> None:
    with pytest.raises(NotAnArticle, match=reason):
        parse_article(data)


def test_page_cut_short_inside_the_article_is_refused() -> None:
    html = page(SEED)
    cut = html.index("Russia has given mixed messages")
    with pytest.raises(NotAnArticle, match="truncated"):
        parse_article(html[:cut])
    assert parse_article(html[:html.index('<div class="fbsbox">') + 30]) == parse_article(html)


def test_utf16_page_is_refused_as_binary() -> None:
    with pytest.raises(NotAnArticle, match="binary"):
        parse_article(page(SEED).encode("utf-16"))
