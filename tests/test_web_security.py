"""The reading room's guard, in-process: who gets in, and what every response tells the browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from newsarchive.errors import InvalidArgument
from newsarchive.web.security import COOKIE, Guard, GuardMiddleware, bind_allowed, content_security_policy, is_loopback

TOKEN = "0123456789abcdef-token"
LOCAL = "http://127.0.0.1:8000"


def app(guard: Guard) -> FastAPI:
    inner = FastAPI()

    @inner.get("/page")
    @inner.get("/api/page")
    @inner.get("/static/style.css")
    def page() -> PlainTextResponse:
        return PlainTextResponse("the archive")

    inner.add_middleware(GuardMiddleware, guard=guard)
    return inner


@pytest.fixture
def with_token() -> Iterator[TestClient]:
    with TestClient(app(Guard(TOKEN, loopback_only=False)), base_url="http://10.1.2.3:8000") as client:
        yield client


@pytest.mark.parametrize("host", ["127.0.0.1", "127.5.6.7", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)
    bind_allowed(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "example.org", "localhost.example.org"])
def test_other_addresses_need_a_token(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(InvalidArgument, match="--token"):
        bind_allowed(host, None)
    bind_allowed(host, TOKEN)


@pytest.mark.parametrize("token", ["short", "has space in it 123456", "semi;colon;0123456789"])
def test_weak_or_unsafe_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidArgument, match="--token"):
        bind_allowed("0.0.0.0", token)


def test_no_token_no_entry(with_token: TestClient) -> None:
    response = with_token.get("/api/page")
    assert response.status_code == 401
    assert response.json()["error"] == 401 and "token" in response.json()["message"]
    assert response.headers["www-authenticate"].startswith("Bearer")
    page = with_token.get("/page")
    assert page.status_code == 401 and "text/html" in page.headers["content-type"]
    assert '<input type="password" name="token"' in page.text  # a form that sends it once, no script needed
    assert with_token.get("/page", headers={"Authorization": "Bearer wrong-token-0123456"}).status_code == 401
    with_token.cookies.set(COOKIE, "wrong-token-0123456")
    assert with_token.get("/page").status_code == 401
    assert with_token.get("/page", params={"token": "wrong-token-0123456"}).status_code == 401


def test_the_stylesheet_needs_no_token(with_token: TestClient) -> None:
    assert with_token.get("/static/style.css").status_code == 200


def test_bearer_token(with_token: TestClient) -> None:
    response = with_token.get("/page", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.text == "the archive"


def test_token_in_the_address_becomes_a_cookie_and_leaves_the_address(with_token: TestClient) -> None:
    response = with_token.get("/page", params={"token": TOKEN, "q": "typhoon"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/page?q=typhoon"
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # the client keeps the cookie: the next request, without the token in the address, gets in
    assert with_token.get("/page?q=typhoon").text == "the archive"


def test_loopback_without_token_answers_only_to_loopback_names() -> None:
    """A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) is refused."""
    guarded = app(Guard(None, loopback_only=True))
    with TestClient(guarded, base_url=LOCAL) as client:
        assert client.get("/page").status_code == 200
        assert client.get("/page", headers={"Host": "localhost:8000"}).status_code == 200
        assert client.get("/page", headers={"Host": "[::1]:8000"}).status_code == 200
        assert client.get("/page", headers={"Host": "evil.example:8000"}).status_code == 421


def test_read_only() -> None:
    with TestClient(app(Guard(None, loopback_only=True)), base_url=LOCAL) as client:
        head = client.head("/page")
        assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == "11"
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            response = client.request(method, "/page")
            assert response.status_code == 405, method
            assert response.headers["allow"] == "GET, HEAD"


def test_every_response_carries_the_policy(with_token: TestClient) -> None:
    for response in (with_token.get("/page"), with_token.get("/page", headers={"Authorization": f"Bearer {TOKEN}"})):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "default-src 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


def test_frames_only_from_the_replay_origin() -> None:
    assert "frame-src 'self';" in content_security_policy(None)
    csp = content_security_policy("http://127.0.0.1:8080")
    assert "frame-src 'self' http://127.0.0.1:8080;" in csp
    assert "frame-ancestors 'self'" in csp
