"""Fixtures of the demo's scenarios for ESB's current layout (standard library only).

ESB's current runner starts pytest as
    python -m pytest --compose-file <env's docker-compose.yml> --import-mode=importlib <targets>
so this folder's conftest registers `--compose-file`. The shared helpers (need, http,
env_name, gateway_url, database_url) come from ../conftest.py; `expected` is this
layout's: what each env's artifact manifest deploys and provisions.
"""
import os

import pytest

# What each env's artifact manifest deploys and its resources provision, and what only
# the other env has.
EXPECTED = {
    "demo-current-a": {
        "artifact": "entries/template-alpha",
        "deployed": ["hello", "echo"],
        "absent": ["metrics"],
        "tables": ["demo-a-orders"],
        "absent_tables": ["demo-b-events"],
    },
    "demo-current-b": {
        "artifact": "entries/template-beta",
        "deployed": ["hello", "metrics"],
        "absent": ["echo"],
        "tables": ["demo-b-events"],
        "absent_tables": ["demo-a-orders"],
    },
}


def pytest_addoption(parser):
    parser.addoption(
        "--compose-file",
        action="store",
        default=None,
        help="the env's docker-compose.yml (ESB's current runner passes it)",
    )


@pytest.fixture
def compose_file(request):
    value = request.config.getoption("--compose-file")
    if not value:
        pytest.fail("pytest got no --compose-file (ESB's current runner passes the env's compose file)", pytrace=False)
    return os.path.abspath(value)


@pytest.fixture
def expected(env_name):
    if env_name not in EXPECTED:
        pytest.fail(f"ENV={env_name!r} is not a current-layout demo env (known: {', '.join(EXPECTED)})", pytrace=False)
    return EXPECTED[env_name]
