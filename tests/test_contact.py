"""Who runs the crawl: the User-Agent's contact and the warcinfo operator from --contact / NEWSARCHIVE_CONTACT."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from newsarchive.crawl.addon import NewsarchiveAddon, contact, contact_warning, user_agent


def settings(**values: str) -> Settings:
    s = Settings()
    s.setmodule("newsarchive.crawl.settings", priority="project")
    s.setdict(values, priority="cmdline")
    NewsarchiveAddon().update_settings(s)
    return s


def test_no_contact_names_no_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSARCHIVE_CONTACT", raising=False)
    s = settings()
    assert contact(s) is None
    assert s.get("USER_AGENT") == "newsarchive/0.1.0 (archival crawler)"
    assert "http" not in s.get("USER_AGENT")


def test_the_contact_goes_into_the_user_agent_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSARCHIVE_CONTACT", raising=False)
    s = settings(NEWSARCHIVE_CONTACT="  archivist@example.org ")
    assert s.get("USER_AGENT") == "newsarchive/0.1.0 (archival crawler; contact: archivist@example.org)"
    NewsarchiveAddon().update_settings(s)  # Scrapy applies the add-on again: still once
    assert s.get("USER_AGENT").count("contact:") == 1


def test_the_contact_may_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_CONTACT", "https://archive.example.org/crawler")
    s = settings()
    assert s.get("NEWSARCHIVE_CONTACT") == "https://archive.example.org/crawler"  # warcinfo's operator
    assert s.get("USER_AGENT").endswith("; contact: https://archive.example.org/crawler)")
    assert settings(NEWSARCHIVE_CONTACT="ops@example.org").get("NEWSARCHIVE_CONTACT") == "ops@example.org"


def test_a_user_agent_set_whole_is_sent_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSARCHIVE_CONTACT", raising=False)
    s = settings(USER_AGENT="MyArchive/2.0 (+mailto:me@example.org)", NEWSARCHIVE_CONTACT="ops@example.org")
    assert s.get("USER_AGENT") == "MyArchive/2.0 (+mailto:me@example.org)"


def test_user_agent_shapes() -> None:
    assert user_agent("x/1 (bot)", "a@b") == "x/1 (bot; contact: a@b)"
    assert user_agent("x/1", "a@b") == "x/1 (contact: a@b)"
    assert user_agent("x/1 (bot)", None) == "x/1 (bot)"


def test_one_warning_without_a_contact_unless_the_site_is_a_local_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSARCHIVE_CONTACT", raising=False)
    warning = contact_warning(settings())
    assert warning is not None and "--contact" in warning and "\n" not in warning
    assert contact_warning(settings(NEWSARCHIVE_BASE_URL="https://mirror.example.org")) == warning
    assert contact_warning(settings(NEWSARCHIVE_BASE_URL="http://127.0.0.1:8000")) is None
    assert contact_warning(settings(NEWSARCHIVE_CONTACT="ops@example.org")) is None
