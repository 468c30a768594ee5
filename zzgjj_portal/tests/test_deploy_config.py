"""deploy/gunicorn.conf.py: the two pools production runs (and the bench measures)."""

import inspect
import os
import re
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


# nginx (deploy/nginx-zzgjj.conf): which pool a path reaches.
NGINX = CONFIG.parent / "nginx-zzgjj.conf"


def nginx_locations() -> list[tuple[str, str, dict[str, list[str]]]]:
    """The 443 server's locations as (modifier, path, {directive: words})."""
    import re

    text = re.sub(r"#[^\n]*", "", NGINX.read_text())
    server = next(block for block in text.split("server {")[1:] if "listen 443" in block)
    locations = []
    for modifier, where, body in re.findall(r"location\s+(=|\^~|~\*?)?\s*(\S+)\s*\{([^}]*)\}", server):
        directives = {}
        for statement in body.split(";"):
            words = statement.split()
            if words:
                directives[words[0]] = words[1:]
        locations.append((modifier, where, directives))
    return locations


def nginx_location_for(path: str) -> tuple[str, str, dict[str, list[str]]]:
    """nginx's choice (no regular-expression locations here, a test below
    holds that): an exact match, else the longest matching prefix."""
    locations = nginx_locations()
    exact = [loc for loc in locations if loc[0] == "=" and loc[1] == path]
    if exact:
        return exact[0]
    return max((loc for loc in locations if loc[0] != "=" and path.startswith(loc[1])), key=lambda loc: len(loc[1]))


def nginx_pool(path: str) -> str:
    return nginx_location_for(path)[2]["proxy_pass"][0]


def test_nginx_has_no_regular_expression_locations():
    # nginx_location_for leaves them out; one would change which location wins.
    assert not [loc for loc in nginx_locations() if loc[0].startswith("~")]


@pytest.mark.parametrize(
    "path",
    [
        "/loans/plan/print/",
        "/certificates/",
        "/certificates/deposit/",
        "/certificates/loan-settled/",
        "/certificates/ledger/",
        "/certificates/12/pdf/",
        "/certificates/12/void/",
    ],
)
def test_nginx_sends_prints_and_certificates_to_the_prints_pool(path):
    assert nginx_pool(path) == "http://zzgjj_prints"
    # Longer than gunicorn's own timeout: gunicorn, not nginx, decides when a PDF took too long.
    assert (
        int(nginx_location_for(path)[2]["proxy_read_timeout"][0].rstrip("s")) > runpy.run_path(str(CONFIG))["timeout"]
    )


@pytest.mark.parametrize("path", ["/", "/home/", "/loans/plan/", "/ledger/", "/verify/", "/verify/file/", "/admin/"])
def test_nginx_sends_pages_and_verify_to_the_pages_pool(path):
    assert nginx_pool(path) == "http://zzgjj_pages"


def test_nginx_takes_the_verify_upload_and_nothing_that_large_elsewhere():
    from django.conf import settings

    def megabytes(words):
        return int(words[0].rstrip("m")) * 1024 * 1024

    upload = nginx_location_for("/verify/file/")[2]
    assert megabytes(upload["client_max_body_size"]) > settings.INQUIRY_VERIFY_UPLOAD_MAX_BYTES
    server_limit = re.search(r"^\s*client_max_body_size (\S+);", NGINX.read_text(), re.M).group(1)
    assert megabytes([server_limit]) < settings.INQUIRY_VERIFY_UPLOAD_MAX_BYTES
    assert "client_max_body_size" not in nginx_location_for("/verify/")[2]


def url_paths(patterns=None, prefix="") -> list[tuple[str, object]]:
    """(a path that resolves to it, view) for every URL of the portal."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern)
        route = re.sub(r"<int:\w+>", "12", re.sub(r"<(?:str|slug):\w+>", "x", route)).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            found += url_paths(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            found.append(("/" + prefix + route, pattern.callback))
    return found


def test_every_certificate_issue_view_is_routed_to_the_prints_pool():
    # An issue view added tomorrow outside /certificates/ would render and sign on a page worker.
    from inquiry.certificates.views import CertificateListView

    issuers = [
        (path, view)
        for path, view in url_paths()
        if isinstance(getattr(view, "view_class", None), type) and issubclass(view.view_class, CertificateListView)
    ]
    assert any(path == "/certificates/deposit/" for path, _ in issuers)
    for path, view in issuers:
        assert nginx_pool(path) == "http://zzgjj_prints", (path, view.view_class.__name__)
    for path, _ in url_paths():
        if path.startswith("/certificates/"):
            assert nginx_pool(path) == "http://zzgjj_prints", path


def test_prints_workers_open_the_signing_certificate_and_survive_without_one(monkeypatch, settings):
    from types import SimpleNamespace

    from zzgjj_portal import signing

    config = load(monkeypatch, GUNICORN_POOL="prints")
    monkeypatch.setattr(os, "nice", lambda n: 0)
    warnings = []
    server = SimpleNamespace(log=SimpleNamespace(warning=lambda *args: warnings.append(args[0] % args[1:])))
    opened = []
    monkeypatch.setattr(signing, "signer", lambda: opened.append(True))
    config["post_fork"](server, SimpleNamespace(pid=4321))
    assert opened == [True] and warnings == []

    settings.CERTIFICATE_SIGNER_P12 = "/nonexistent/center.p12"
    monkeypatch.undo()
    config = load(monkeypatch, GUNICORN_POOL="prints")
    monkeypatch.setattr(os, "nice", lambda n: 0)
    config["post_fork"](server, SimpleNamespace(pid=4321))
    assert len(warnings) == 1 and "4321" in warnings[0] and "/nonexistent/center.p12" in warnings[0]

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(signing, "signer", broken)
    config["post_fork"](server, SimpleNamespace(pid=4322))
    assert len(warnings) == 2 and "RuntimeError" in warnings[1]


def test_pages_workers_leave_the_signing_certificate_alone(monkeypatch):
    from types import SimpleNamespace

    from zzgjj_portal import signing

    config = load(monkeypatch, GUNICORN_POOL="pages")
    monkeypatch.setattr(signing, "signer", lambda: pytest.fail("a page worker opened the signing certificate"))
    config["post_fork"](SimpleNamespace(log=None), SimpleNamespace(pid=1))


def test_prints_master_draws_a_certificate_before_forking_and_starts_even_if_that_fails(monkeypatch):
    import gc
    from types import SimpleNamespace

    from inquiry.certificates import rendering

    config = load(monkeypatch, GUNICORN_POOL="prints")
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setitem(config["when_ready"].__globals__, "_precompile_templates", lambda: None)
    drawn, warnings = [], []
    real = rendering.warm_up
    monkeypatch.setattr(rendering, "warm_up", lambda: drawn.append(real()))
    server = SimpleNamespace(log=SimpleNamespace(warning=lambda *args: warnings.append(args[0] % args[1:])))
    config["when_ready"](server)
    assert drawn == [None] and warnings == []

    def broken():
        raise OSError("no fonts")

    monkeypatch.setattr(rendering, "warm_up", broken)
    config["when_ready"](server)
    assert warnings == ["prints pool: certificate warm-up failed (OSError: no fonts)"]
