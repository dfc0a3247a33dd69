"""Smoke: the env's services are up and are this env's."""
import os

import checks


def test_gateway_health_names_this_env(gateway_url, env_name, http, need):
    checks.gateway_health(http, gateway_url, env_name, need("PROJECT_NAME"))


def test_database_answers(database_url, env_name, http):
    assert checks.database_status(http, database_url, env_name)["boots"] >= 1


def test_database_stores_and_returns_a_value(database_url, env_name, http):
    key = f"smoke-{env_name}-{os.getpid()}"
    value = f"written by the smoke test of {env_name}".encode()
    stored = http(f"{database_url}/cgi-bin/kv/{key}", method="POST", data=value,
                  headers={"Content-Type": "text/plain"})
    assert stored.status == 201, stored.text
    read = http(f"{database_url}/cgi-bin/kv/{key}")
    assert read.status == 200, read.text
    assert read.body == value
    assert http(f"{database_url}/cgi-bin/kv/never-written").status == 404
