"""Standard: what `esb deploy` put in this env, and only in this env."""
import base64


def test_deployed_functions_answer_with_this_env(gateway_url, env_name, expected, http, need):
    tag = need("ESB_TAG")
    for name in expected["deployed"]:
        resp = http(f"{gateway_url}/functions/{name}")
        assert resp.status == 200, f"function {name} is not deployed in {env_name}: {resp.status}"
        body = resp.json()
        assert body["function"] == name
        assert body["env"] == env_name, f"{name} was deployed by another env"
        assert body["tag"] == tag
        assert body["message"], f"{name} carries no message"


def test_gateway_lists_exactly_this_envs_functions(gateway_url, expected, http):
    resp = http(f"{gateway_url}/cgi-bin/functions")
    assert resp.status == 200, resp.text
    assert sorted(resp.json()["functions"]) == sorted(expected["deployed"])


def test_other_envs_function_is_not_here(gateway_url, env_name, expected, http):
    for name in expected["absent"]:
        resp = http(f"{gateway_url}/functions/{name}")
        assert resp.status == 404, f"{name} belongs to the other env but {env_name} answers {resp.status}"


def test_unknown_function_is_404(gateway_url, http):
    assert http(f"{gateway_url}/functions/no-such-function").status == 404


def test_protected_path_needs_the_api_key(gateway_url, env_name, http, need):
    key = need("X_API_KEY")
    url = f"{gateway_url}/cgi-bin/protected"
    assert http(url).status in (401, 403)
    assert http(url, headers={"x-api-key": key + "-wrong"}).status in (401, 403)
    resp = http(url, headers={"x-api-key": key})
    assert resp.status == 200, resp.text
    assert resp.json() == {"status": "authorized", "env": env_name}


def test_private_path_needs_basic_auth(gateway_url, http, need):
    user, password = need("AUTH_USER"), need("AUTH_PASS")
    url = f"{gateway_url}/private/whoami.json"
    assert http(url).status == 401
    wrong = base64.b64encode(f"{user}:{password}x".encode()).decode()
    assert http(url, headers={"Authorization": f"Basic {wrong}"}).status == 401
    good = base64.b64encode(f"{user}:{password}".encode()).decode()
    resp = http(url, headers={"Authorization": f"Basic {good}"})
    assert resp.status == 200, resp.text
    assert resp.json()["user"] == user


def test_gateway_variables_from_the_container(env_name, need):
    assert need("GATEWAY_INTERNAL_URL") == "http://gateway:8080"
    assert need("CONTAINERS_NETWORK") == need("NETWORK_EXTERNAL")
    assert need("NETWORK_EXTERNAL") == f"{need('PROJECT_NAME')}-external"
    assert need("PROJECT_NAME") == f"esb-{env_name}"


def test_registry_holds_this_envs_images_seen_from_the_env_network(gateway_url, expected, http, need):
    tag = need("ESB_TAG")
    for name in expected["deployed"]:
        resp = http(f"{gateway_url}/cgi-bin/registry/demo-{name}/tags/list")
        assert resp.status == 200, f"registry:5010 not reachable from the gateway: {resp.text}"
        body = resp.json()
        assert body["name"] == f"demo-{name}"
        assert tag in (body.get("tags") or []), f"{tag} not in {body.get('tags')}"
