"""deploy/gunicorn.conf.py: the two pools production runs (and the bench measures)."""

import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def load(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_POOL", "GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_gunicorn_pages_pool_defaults(monkeypatch):
    config = load(monkeypatch)
    assert config["bind"] == "127.0.0.1:8000" and config["workers"] == config["cores"]
    assert config["timeout"] == 30 and config["graceful_timeout"] == 30
    assert config["max_requests"] == 20000 and config["max_requests_jitter"] == 2000
    assert config["forwarded_allow_ips"] == "127.0.0.1"


def test_gunicorn_prints_pool_is_small_and_recycled_sooner(monkeypatch):
    config = load(monkeypatch, GUNICORN_POOL="prints")
    assert config["bind"] == "127.0.0.1:8001"
    assert 1 <= config["workers"] <= max(1, config["cores"] // 2)
    assert config["max_requests"] == 2000 and config["max_requests_jitter"] == 200


@pytest.mark.parametrize("pool", ["pages", "prints"])
def test_gunicorn_config_environment_overrides(monkeypatch, pool):
    config = load(monkeypatch, GUNICORN_POOL=pool, GUNICORN_BIND="127.0.0.1:9999", GUNICORN_WORKERS="3")
    assert config["bind"] == "127.0.0.1:9999" and config["workers"] == 3
