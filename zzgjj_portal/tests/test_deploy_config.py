"""deploy/gunicorn.conf.py: the two pools production runs (and the bench measures)."""

import inspect
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


def test_gunicorn_pools_each_have_their_own_control_socket(monkeypatch):
    # One socket per pool: the second master would otherwise replace the
    # first's, and `gunicornc` would reach only the pool started last.
    from gunicorn.config import Config

    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    sockets = {pool: load(monkeypatch, GUNICORN_POOL=pool)["control_socket"] for pool in ("pages", "prints")}
    assert sockets["pages"] != sockets["prints"]
    assert Config().control_socket not in sockets.values()
    assert all(Path(path).name == f"zzgjj-{pool}.ctl" for pool, path in sockets.items())


def test_gunicorn_control_socket_environment_override(monkeypatch):
    config = load(monkeypatch, GUNICORN_CONTROL_SOCKET="/run/zzgjj/node-a.ctl")
    assert config["control_socket"] == "/run/zzgjj/node-a.ctl"


@pytest.mark.parametrize("pool", ["pages", "prints"])
def test_gunicorn_config_names_only_gunicorn_settings(monkeypatch, pool):
    # gunicorn silently ignores a name it does not know in a config file: a
    # misspelled option (control_sock, access_log_fmt) would change nothing.
    from gunicorn.config import Config

    config = load(monkeypatch, GUNICORN_POOL=pool)
    helpers = {"pool", "cores"}  # the file's own variables
    names = {
        name
        for name, value in config.items()
        if not name.startswith("_") and name not in helpers and not (inspect.ismodule(value) or inspect.isclass(value))
    }
    known = set(Config().settings)
    assert {"control_socket", "access_log_format", "bind"} <= names
    assert not names - known, sorted(names - known)
    cfg = Config()
    for name in names:
        cfg.set(name, config[name])
    assert cfg.control_socket == config["control_socket"]
