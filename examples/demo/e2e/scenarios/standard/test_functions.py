"""Standard: what `esb deploy` put in this env, and only in this env."""
import checks


def test_deployed_functions_answer_with_this_env(gateway_url, env_name, expected, http, need):
    for name in expected["deployed"]:
        checks.deployed_function(http, gateway_url, env_name, name, need("ESB_TAG"))


def test_gateway_lists_exactly_this_envs_functions(gateway_url, expected, http):
    checks.lists_exactly(http, gateway_url, expected["deployed"])


def test_other_envs_function_is_not_here(gateway_url, env_name, expected, http):
    checks.not_deployed(http, gateway_url, env_name, expected["absent"])


def test_unknown_function_is_404(gateway_url, http):
    assert http(f"{gateway_url}/functions/no-such-function").status == 404


def test_protected_path_needs_the_api_key(gateway_url, env_name, http, need):
    checks.api_key_guards(http, gateway_url, env_name, need("X_API_KEY"))


def test_private_path_needs_basic_auth(gateway_url, env_name, http, need):
    checks.basic_auth_guards(http, gateway_url, env_name, need("AUTH_USER"), need("AUTH_PASS"))


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
