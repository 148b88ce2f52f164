"""newsarchive.redact: credentials never leave a URI that the archive writes down; what locates it stays."""

from __future__ import annotations

import pytest

from newsarchive.redact import redact_uri


@pytest.mark.parametrize("uri, redacted", [
    ("s3://AKIAEXAMPLE:secret@bucket/prefix", "s3://bucket/prefix"),
    ("redis://:secret@127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),  # password only, port kept
    ("http://user:secret@mirror.example:8080/copy/?q=1", "http://mirror.example:8080/copy/?q=1"),
    ("http://user@mirror.example/x", "http://mirror.example/x"),  # user only
    ("http://user:secret@[::1]:8080/x", "http://[::1]:8080/x"),  # IPv6 keeps its brackets
    ("http://user:secret@[2001:db8::1]/x", "http://[2001:db8::1]/x"),
    ("http://a:b@c@host:9/x", "http://host:9/x"),  # everything up to the last '@'
    ("http://user:secret@HOST.example/x", "http://host.example/x"),  # the host as urllib reads it
])
def test_credentials_go_host_port_and_path_stay(uri: str, redacted: str) -> None:
    assert redact_uri(uri) == redacted


@pytest.mark.parametrize("uri", ["s3://bucket/prefix", "/srv/archive", "file:///srv/archive", "http://127.0.0.1:8080",
                                 "redis://127.0.0.1:6379/0", "relative/path@2024", ""])
def test_a_uri_without_credentials_is_unchanged(uri: str) -> None:
    assert redact_uri(uri) == uri


@pytest.mark.parametrize("uri, redacted", [
    ("http://user:secret@[::1/x", "http://[::1/x"),  # "Invalid IPv6 URL"
    ("http://user:secret@host:notaport/x", "http://host:notaport/x"),  # a port that is not a number
    ("redis://:secret@host:99999999/0", "redis://host:99999999/0"),  # out of range
])
def test_an_unparseable_uri_is_cut_at_its_last_at(uri: str, redacted: str) -> None:
    assert redact_uri(uri) == redacted
    assert "secret" not in redact_uri(uri)
