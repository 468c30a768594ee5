"""Request ids and JSON log lines: one event a line, with the request id and
the member's or staff member's pk, never an ID number or phone."""

import logging
import re
from http import HTTPStatus
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings

from accounts.tests.factories import StaffUserFactory
from zzgjj_portal import logs
from zzgjj_portal.scrub import scrub_text

pytestmark = pytest.mark.django_db
ID_NUMBER, PHONE = "370402199001011238", "13812345678"
log = logging.getLogger("zzgjj_portal.tests")


def test_request_id_is_new_for_each_request_and_echoed_in_the_response(client):
    first, second = client.get("/healthz/"), client.get("/healthz/")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_request_id_from_anyone_but_the_trusted_proxy_is_ignored(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1/32"]
    response = client.get("/healthz/", HTTP_X_REQUEST_ID="forged-id")
    assert response["X-Request-ID"] != "forged-id"


@pytest.mark.parametrize(("incoming", "kept"), [("3f2a9c", True), ("a" * 65, False), ("x y\nz", False)])
def test_request_id_from_the_trusted_proxy_is_kept_when_well_formed(client, settings, incoming, kept):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    response = client.get("/healthz/", HTTP_X_REQUEST_ID=incoming)
    assert (response["X-Request-ID"] == incoming) is kept


def test_log_lines_are_json_with_level_logger_time_request_id_and_member_pk(client, member_user, json_log):
    client.force_login(member_user)
    response = client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    lines = [line for line in json_log() if line["logger"] == "django.request"]
    assert lines, json_log()
    line = lines[-1]
    assert line["level"] == "WARNING" and line["time"].endswith("+00:00")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["member_pk"] == member_user.member_id and "staff_pk" not in line


def test_log_lines_name_staff_by_pk(client, json_log):
    from conftest import log_in_staff

    staff = StaffUserFactory()
    log_in_staff(client, staff)
    client.get("/admin/no-such-page/")
    line = [line for line in json_log() if line["logger"] == "django.request"][-1]
    assert line["staff_pk"] == staff.pk and "member_pk" not in line


def test_log_lines_mask_id_numbers_and_phones_in_messages_and_tracebacks(json_log):
    log.warning("member %s phone %s", ID_NUMBER, PHONE)
    try:
        raise ValueError(f"bad {ID_NUMBER.lower()}")
    except ValueError:
        log.exception("failed for %s", PHONE)
    text = str(json_log())
    assert ID_NUMBER not in text and PHONE not in text
    first, second = json_log()
    assert first["message"] == "member 370402********1238 phone 138****5678"
    assert "ValueError: bad 370402********1238" in second["exc_info"]


def test_scrub_text_keeps_longer_numbers_and_serials():
    assert scrub_text("serial 2024010112345678901234 order 138123456789") == (
        "serial 2024010112345678901234 order 138123456789"
    )
    assert scrub_text(f"{ID_NUMBER[:-1]}X,{PHONE}") == "370402********123X,138****5678"


def test_log_format_is_json_with_debug_off():
    assert django_settings.LOGGING["handlers"]["console"]["formatter"] == "json"


def test_request_id_travels_with_a_job_the_request_enqueues():
    """The publishing side writes the current id into the message headers;
    the worker side makes it the job's log id, then forgets it."""
    token = logs._request_id.set("req123")
    try:
        headers = {}
        logs._job_headers(sender="zzgjj_portal.jobs.heartbeat", headers=headers)
    finally:
        logs._request_id.reset(token)
    assert headers[logs.JOB_REQUEST_ID_HEADER] == "req123" and logs.JOB_SENT_AT_HEADER in headers

    task = SimpleNamespace(request=SimpleNamespace(is_eager=False, **headers))
    logs._job_started(task_id="t1", task=task)
    assert logs.current_request_id() == "req123"
    logs._job_finished(task_id="t1")
    assert logs.current_request_id() == ""


def test_a_job_without_a_request_gets_an_id_of_its_own():
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    logs._job_started(task_id="t2", task=task)
    try:
        assert re.fullmatch(r"[0-9a-f]{32}", logs.current_request_id())
    finally:
        logs._job_finished(task_id="t2")
