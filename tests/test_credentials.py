"""Credentials out of URIs (newsarchive.redact) and out of the store and mirror options (issue 11, item 9)."""

from __future__ import annotations

import os

import pytest

from newsarchive.crawl.frontier import PASSWORD_ENVS, without_password
from newsarchive.errors import InvalidArgument
from newsarchive.redact import redact_uri
from newsarchive.site.urls import Mirror
from newsarchive.store import open_store


def test_redaction_keeps_scheme_host_port_and_path() -> None:
    assert redact_uri("redis://:s3cret@127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert redact_uri("http://user:s3cret@[::1]:8080/x?q=1") == "http://[::1]:8080/x?q=1"
    assert redact_uri("s3://bucket/prefix") == "s3://bucket/prefix"


@pytest.mark.parametrize("uri", ["s3://AKID:s3cret@bucket/x", "s3://AKID:s3/cr+et@bucket/x", "s3://AKID:s3cret/x"])
def test_an_s3_uri_with_credentials_is_refused_without_them(uri: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        open_store(uri)
    assert "s3cret" not in str(caught.value) and "s3/cr" not in str(caught.value)


def test_a_mirror_with_credentials_is_refused_without_them() -> None:
    with pytest.raises(InvalidArgument) as caught:
        Mirror("http://archivist:s3cret@127.0.0.1:8000")
    assert "s3cret" not in str(caught.value)


def test_a_frontier_password_moves_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PASSWORD_ENVS:  # recorded as absent, so what the call sets is undone after the test
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    assert without_password("redis://:s3cret@10.0.0.5:6379/0") == "redis://10.0.0.5:6379/0"
    assert os.environ[PASSWORD_ENVS[0]] == "s3cret"
    assert without_password("redis://10.0.0.5:6379/0") == "redis://10.0.0.5:6379/0"
