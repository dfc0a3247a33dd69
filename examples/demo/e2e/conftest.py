"""Shared helpers of the demo's end-to-end scenarios (standard library only).

Everything comes from the environment the runner hands pytest; a missing
variable fails the test that needs it, naming the variable (nothing is skipped).
"""
import json
import os
import urllib.error
import urllib.request

import pytest

# What each env's deploy template deploys, and what only the other env has.
EXPECTED_FUNCTIONS = {
    "demo-alpha": {"deployed": ["hello", "echo"], "absent": ["metrics"]},
    "demo-beta": {"deployed": ["hello", "metrics"], "absent": ["echo"]},
}

HOST = "127.0.0.1"
TIMEOUT = 10


def need(name):
    """The value of an environment variable that must be set and non-empty."""
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(f"environment variable {name} is not set (the runner must provide it)", pytrace=False)
    return value


class Response:
    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            pytest.fail(f"expected a JSON body, got: {self.text[:200]!r}", pytrace=False)


def request(url, method="GET", headers=None, data=None):
    """HTTP request that returns a Response for every status (4xx/5xx too)."""
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            return Response(resp.status, resp.read(), resp.headers)
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read(), err.headers)
    except (urllib.error.URLError, OSError) as err:
        pytest.fail(f"{method} {url}: no answer ({err})", pytrace=False)


@pytest.fixture(name="need")
def need_fixture():
    """need(NAME): the variable's value, or a clear failure naming it."""
    return need


@pytest.fixture(name="http")
def http_fixture():
    """http(url, method=, headers=, data=) -> Response, whatever the status."""
    return request


@pytest.fixture
def env_name():
    return need("ENV")


@pytest.fixture
def expected(env_name):
    if env_name not in EXPECTED_FUNCTIONS:
        pytest.fail(f"ENV={env_name!r} is not a demo env (known: {', '.join(EXPECTED_FUNCTIONS)})", pytrace=False)
    return EXPECTED_FUNCTIONS[env_name]


@pytest.fixture
def gateway_url():
    return f"http://{HOST}:{need('PORT_GATEWAY_HTTP')}"


@pytest.fixture
def database_url():
    return f"http://{HOST}:{need('PORT_DATABASE')}"
