"""Error reports: nothing without SENTRY_DSN; with it, no cookie, body, query
string or ID number leaves the server."""

import sentry_sdk

from zzgjj_portal.sentry import before_send

ID_NUMBER, PHONE = "370402199001011238", "13812345678"


def _event() -> dict:
    return {
        "message": f"member {ID_NUMBER} not found",
        "logentry": {"message": "lookup %s", "params": [PHONE], "formatted": f"lookup {PHONE}"},
        "exception": {"values": [{"type": "ValueError", "value": f"bad phone {PHONE}"}]},
        "request": {
            "url": f"https://gjj.example/password/forgot/?id_number={ID_NUMBER}",
            "method": "POST",
            "query_string": f"id_number={ID_NUMBER}",
            "cookies": {"sessionid": "secret-session"},
            "data": {"id_number": ID_NUMBER, "password": "Secret#2026a"},
            "headers": {"Cookie": "sessionid=secret-session", "User-Agent": "Firefox", "X-CSRFToken": "t"},
            "env": {"REMOTE_ADDR": "10.1.1.1"},
        },
        "user": {"id": "42", "username": ID_NUMBER, "ip_address": "10.1.1.1"},
    }


def test_before_send_strips_cookies_body_query_and_masks_numbers():
    event = before_send(_event(), {})
    text = str(event)
    for secret in (ID_NUMBER, PHONE, "secret-session", "Secret#2026a", "10.1.1.1", "X-CSRFToken"):
        assert secret not in text, secret
    request = event["request"]
    assert request["url"] == "https://gjj.example/password/forgot/"
    assert set(request) == {"url", "method", "headers"} and request["headers"] == {"User-Agent": "Firefox"}
    assert event["user"] == {"id": "42"}
    assert event["message"] == "member 370402********1238 not found"
    assert event["exception"]["values"][0]["value"] == "bad phone 138****5678"


def test_sentry_is_off_without_a_dsn(settings):
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_sentry_with_a_dsn_is_on_without_personal_data():
    """In a process of its own: the SDK patches Django and Celery for good."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django, sentry_sdk; django.setup(); o = sentry_sdk.get_client().options; "
        "print(sentry_sdk.get_client().is_active(), o['send_default_pii'], o['max_request_body_size'], "
        "o['before_send'].__module__, "
        "sorted(i for i in sentry_sdk.get_client().integrations if i in ('django', 'celery')))"
    )
    env = {
        **os.environ,
        "SENTRY_DSN": "https://public@127.0.0.1:1/1",
        "DJANGO_SETTINGS_MODULE": "zzgjj_portal.settings",
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], env=env, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True
    )
    assert result.stdout.split() == ["True", "False", "never", "zzgjj_portal.sentry", "['celery',", "'django']"], (
        result.stderr[-2000:]
    )
