"""Checks both layouts' scenarios make of an env's gateway and database (standard library only).

Each takes what the test already has (its `http` fixture, URLs, the env's name) and returns
what it read, so a test adds only what its layout hands over besides. pytest.ini puts this
folder on sys.path, so `import checks` works whatever the import mode.
"""
import base64


def gateway_health(http, gateway_url, env_name, project):
    """/health answers ok for this env and this compose project; returns its body."""
    resp = http(f"{gateway_url}/health")
    assert resp.status == 200, resp.text
    body = resp.json()
    assert body["status"] == "ok"
    assert body["env"] == env_name
    assert body["project"] == project
    return body


def database_status(http, database_url, env_name):
    """The database's /status answers for this env; returns its body."""
    resp = http(f"{database_url}/status")
    assert resp.status == 200, resp.text
    body = resp.json()
    assert body["service"] == "database"
    assert body["env"] == env_name
    return body


def deployed_function(http, gateway_url, env_name, name, tag):
    """Function `name` answers with this env's deploy and tag; returns its body."""
    resp = http(f"{gateway_url}/functions/{name}")
    assert resp.status == 200, f"function {name} is not deployed in {env_name}: {resp.status}"
    body = resp.json()
    assert body["function"] == name
    assert body["env"] == env_name, f"{name} was deployed by another env"
    assert body["tag"] == tag
    assert body["message"], f"{name} carries no message"
    return body


def lists_exactly(http, gateway_url, functions):
    """The gateway lists these functions and no other."""
    resp = http(f"{gateway_url}/cgi-bin/functions")
    assert resp.status == 200, resp.text
    assert sorted(resp.json()["functions"]) == sorted(functions)


def not_deployed(http, gateway_url, env_name, functions):
    """None of these functions (the other env's) answers here."""
    for name in functions:
        resp = http(f"{gateway_url}/functions/{name}")
        assert resp.status == 404, f"{name} belongs to the other env but {env_name} answers {resp.status}"


def api_key_guards(http, gateway_url, env_name, key):
    """The protected path: 401 without the key, 403 with a wrong one, 200 with the env's."""
    url = f"{gateway_url}/cgi-bin/protected"
    assert http(url).status == 401
    assert http(url, headers={"x-api-key": key + "-wrong"}).status == 403
    resp = http(url, headers={"x-api-key": key})
    assert resp.status == 200, resp.text
    assert resp.json() == {"status": "authorized", "env": env_name}


def basic_auth_guards(http, gateway_url, env_name, user, password):
    """The private path: 401 without or with a wrong password, 200 with the env's."""
    url = f"{gateway_url}/private/whoami.json"
    assert http(url).status == 401
    wrong = base64.b64encode(f"{user}:{password}x".encode()).decode()
    assert http(url, headers={"Authorization": f"Basic {wrong}"}).status == 401
    good = base64.b64encode(f"{user}:{password}".encode()).decode()
    resp = http(url, headers={"Authorization": f"Basic {good}"})
    assert resp.status == 200, resp.text
    assert resp.json() == {"user": user, "env": env_name}
