"""Standard: what `esb-ctl deploy` and `esb-ctl provision` put in this env, and only in this env."""
import json
import os

import checks


def test_deployed_functions_answer_with_this_env(gateway_url, env_name, expected, http, need):
    tag, registry = need("ESB_TAG"), need("HOST_REGISTRY_ADDR")
    for name in expected["deployed"]:
        body = checks.deployed_function(http, gateway_url, env_name, name, tag)
        assert body["image"] == f"{registry}/demo-{name}:{tag}"
        assert body["artifact"] == expected["artifact"]


def test_gateway_lists_exactly_this_envs_functions(gateway_url, expected, http):
    checks.lists_exactly(http, gateway_url, expected["deployed"])


def test_other_envs_function_is_not_here(gateway_url, env_name, expected, http):
    checks.not_deployed(http, gateway_url, env_name, expected["absent"])


def test_registry_holds_this_envs_images(expected, http, need):
    tag, registry = need("ESB_TAG"), need("HOST_REGISTRY_ADDR")
    for name in expected["deployed"]:
        resp = http(f"http://{registry}/v2/demo-{name}/tags/list")
        assert resp.status == 200, resp.text
        assert tag in (resp.json().get("tags") or []), f"{tag} not pushed for demo-{name}"


def test_provision_marked_this_env(gateway_url, compose_file, env_name, expected, http, need):
    resp = http(f"{gateway_url}/provisioned.json")
    assert resp.status == 200, f"{env_name} was not provisioned: {resp.status}"
    marker = resp.json()
    assert marker["env"] == env_name
    assert marker["project"] == need("PROJECT_NAME")
    # provision got the env's own compose and env files, the ones pytest got too.
    assert marker["compose_file"] == compose_file
    assert marker["env_file"] == os.path.join(os.path.dirname(compose_file), ".env")
    assert marker["meta_reuse"] == "1", "the runner hands deploy and provision ESB_META_REUSE=1"
    assert marker["tables"] == expected["tables"]
    assert marker["functions"] == sorted(expected["deployed"])
    if os.environ.get("CTL_BIN_RESOLVED"):
        assert marker["ctl"] == os.environ["CTL_BIN_RESOLVED"]


def test_provisioned_tables_are_in_this_envs_database(database_url, env_name, expected, http, need):
    for table in expected["tables"]:
        resp = http(f"{database_url}/cgi-bin/kv/table.{table}")
        assert resp.status == 200, f"table {table} was not provisioned in {env_name}"
        assert resp.json() == {"table": table, "env": env_name, "project": need("PROJECT_NAME")}
    for table in expected["absent_tables"]:
        assert http(f"{database_url}/cgi-bin/kv/table.{table}").status == 404, f"{table} belongs to the other env"


def test_deploy_left_its_metadata_in_this_envs_state_dir(env_name, expected, need):
    with open(os.path.join(need("ESB_HOME"), "deploy.json"), encoding="utf-8") as f:
        meta = json.load(f)
    assert meta["env"] == env_name
    assert meta["manifest"].endswith(os.path.join("e2e", "artifacts", env_name, "artifact.yml"))
    assert sorted(f["function"] for f in meta["functions"]) == sorted(expected["deployed"])
