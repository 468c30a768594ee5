"""Response headers: a strict Content-Security-Policy and Permissions-Policy
everywhere, and `Cache-Control: no-store, private` on every member URL
(pages, downloads, print) found by the URL walk."""

import importlib
from http import HTTPStatus

import pytest

from zzgjj_portal.tests.urlwalk import member_urls
from zzgjj_portal.tests.walkdata import make_person

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.fixture
def person():
    return make_person("HD")


def _responses(client, person):
    """A member page, a download, the print view, an admin page and the login."""
    from accounts.tests.factories import StaffUserFactory
    from conftest import log_in_staff

    contract = person.markers[4]
    client.force_login(person.user)
    yield "member page", client.get("/info/")
    yield "download", client.get("/ledger/", {"start": "2025-01-01", "end": "2025-12-31", "format": "xlsx"})
    yield "print", client.get("/loans/plan/print/", {"contract": contract})
    client.logout()
    yield "login", client.get("/")
    log_in_staff(client, StaffUserFactory())
    yield "admin page", client.get("/admin/inquiry/member/")


def test_strict_csp_on_member_page_download_print_admin_and_login(client, person):
    for what, response in _responses(client, person):
        assert response.status_code == HTTPStatus.OK, what
        policy = _directives(response.headers["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"], what
        assert policy["script-src"] == ["'self'"], what
        assert policy["style-src"] == ["'self'"], what
        assert policy["object-src"] == ["'none'"], what
        assert policy["frame-ancestors"] == ["'none'"], what
        assert policy["form-action"] == ["'self'"], what
        assert "unsafe" not in response.headers["Content-Security-Policy"], what
        assert "Content-Security-Policy-Report-Only" not in response.headers, what


def test_permissions_policy_denies_camera_microphone_geolocation_payment(client, person):
    for what, response in _responses(client, person):
        policy = response.headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment"):
            assert f"{feature}=()" in policy, what


def test_csp_report_only_switch_sends_the_same_policy_without_enforcing(monkeypatch):
    from zzgjj_portal import settings as module

    monkeypatch.setenv("PORTAL_CSP_REPORT_ONLY", "true")
    try:
        reloaded = importlib.reload(module)
        assert reloaded.CONTENT_SECURITY_POLICY is None
        assert reloaded.CONTENT_SECURITY_POLICY_REPORT_ONLY["DIRECTIVES"]["script-src"] == ["'self'"]
    finally:
        monkeypatch.delenv("PORTAL_CSP_REPORT_ONLY")
        importlib.reload(module)
    assert module.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-ancestors"] == ["'none'"]


def test_report_only_mode_sends_the_report_only_header(client, settings, person):
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY, settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None, policy
    client.force_login(person.user)
    response = client.get("/info/")
    assert "Content-Security-Policy" not in response.headers
    assert "'self'" in response.headers["Content-Security-Policy-Report-Only"]


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_every_member_url_is_never_stored(client, person):
    """Every member URL of the URLconf, as a page, a download and a print,
    with the member's own contract: each answer says no-store, private."""
    contract = person.markers[4]
    checked = []
    for url in member_urls():
        path = url.path()
        for query in ({}, {"contract": contract}, {"contract": contract, "format": "xlsx"}):
            client.force_login(person.user)
            response = client.get(path, query)
            if response.status_code in (HTTPStatus.METHOD_NOT_ALLOWED, HTTPStatus.NOT_FOUND):
                continue
            assert _no_store(response), f"{path} {query}: {response.headers.get('Cache-Control')}"
            checked.append((path, response.headers["Content-Type"]))
    kinds = {content_type.split(";")[0] for _, content_type in checked}
    # Pages, an Excel download and the PDF print were all among them.
    assert {"text/html", "application/pdf"} <= kinds
    assert any("spreadsheetml" in kind for kind in kinds)


def test_session_cookie_ends_with_the_browser(client, person):
    response = client.post(
        "/",
        {"identifier": person.member.id_number, "password": "Secret#2026a", "captcha_0": "t", "captcha_1": "PASSED"},
    )
    assert response.status_code == HTTPStatus.FOUND
    cookie = response.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]
