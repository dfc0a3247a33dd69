import os
import urllib.request


def test_gateway_answers_on_the_published_port():
    port = os.environ["PORT_GATEWAY_HTTP"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/env", timeout=5) as r:
        assert r.read().decode().strip() == os.environ["ENV"]


def test_pytest_gets_the_envs_engine():
    assert os.environ["DOCKER_HOST"].startswith("unix://")
