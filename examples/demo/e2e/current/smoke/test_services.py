"""Smoke: the env's services are up and are this env's, with what the runner handed pytest."""
import os
import re

import checks


def test_gateway_health_names_this_env(gateway_url, env_name, http, need):
    body = checks.gateway_health(http, gateway_url, env_name, need("PROJECT_NAME"))
    assert body["tag"] == need("ESB_TAG")


def test_database_answers_for_this_env(database_url, env_name, http):
    checks.database_status(http, database_url, env_name)


def test_pytest_got_this_envs_compose_file(compose_file, env_name):
    assert os.path.isfile(compose_file), compose_file
    assert compose_file.endswith(os.path.join("e2e", "environments", env_name, "docker-compose.yml"))


def test_runner_variables(env_name, need):
    assert need("PROJECT_NAME") == f"esb-{env_name}"
    assert need("ESB_ENV") == env_name
    assert need("MODE") == "docker"
    # `latest` on a workstation; in CI the commit or the time (the runner decides).
    assert re.fullmatch(rf"e2e-{re.escape(env_name)}-(latest|[0-9a-f]{{7}}|\d{{14}})", need("ESB_TAG"))
    assert need("NETWORK_EXTERNAL") == f"esb-{env_name}-external"
    assert need("ESB_HOME").endswith(os.path.join(".esb", "e2e", "state", env_name))


def test_gateway_variables_from_the_container(need):
    # pytest gets these from the running gateway container's environment.
    assert need("GATEWAY_INTERNAL_URL") == "http://gateway:8080"
    assert need("CONTAINERS_NETWORK") == need("NETWORK_EXTERNAL")
    assert need("AUTH_ENDPOINT_PATH").startswith("/")
    for name in ("AUTH_USER", "AUTH_PASS", "X_API_KEY", "RUSTFS_ACCESS_KEY", "RUSTFS_SECRET_KEY"):
        need(name)


def test_gateway_credentials_work(gateway_url, env_name, http, need):
    checks.api_key_guards(http, gateway_url, env_name, need("X_API_KEY"))
    checks.basic_auth_guards(http, gateway_url, env_name, need("AUTH_USER"), need("AUTH_PASS"))
