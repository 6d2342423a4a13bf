"""A real OpenID Connect provider on 127.0.0.1 for the tests (oidc-provider-mock: Authlib's
authorization server in Flask, RS256 ID tokens, nonce required), in a thread of the test process."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests


@contextmanager
def running_provider():
    import oidc_provider_mock
    import werkzeug.serving

    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on loopback, both sides
    app = oidc_provider_mock.app(require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def set_person(issuer: str, sub: str, **claims) -> None:
    """The provider's record of a person (its claims go into their ID token)."""
    response = requests.put(f"{issuer}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204, response.text


def with_param(url: str, **params) -> str:
    """The URL with query parameters replaced (tampering with an authorization request)."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def authorize_as(authorization_url: str, sub: str) -> str:
    """The person `sub` approves on the provider's page; returns where it redirects (the callback)."""
    response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text[:500]
    return response.headers["Location"]
