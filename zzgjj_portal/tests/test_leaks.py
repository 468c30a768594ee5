"""No full ID number or phone where it does not belong: not on any member
page, download or PDF (members see their own numbers masked), not in the SMS
log, the audit trail or the log, and not in admin for staff without
`view_full_identity` (who may search by the full number but never see it)."""

import logging
from http import HTTPStatus

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.forms.models import model_to_dict

from accounts.models import SmsLog
from accounts.tests.factories import StaffUserFactory
from conftest import log_in_staff
from inquiry import services as inquiry_services
from zzgjj_portal.models import AuditEvent
from zzgjj_portal.tests.urlwalk import all_urls, member_urls
from zzgjj_portal.tests.walkdata import make_person, response_text

pytestmark = pytest.mark.django_db
NEW_PHONE = "13912340987"


@pytest.fixture
def person(settings):
    settings.SMS_BACKEND = "accounts.sms.LocmemBackend"
    return make_person("LK")


def _full_numbers(person) -> list[str]:
    return [person.member.id_number, person.member.phone, NEW_PHONE]


def _found(text: str, person) -> list[str]:
    return [number for number in _full_numbers(person) if number in text]


def _exercise(client, person):
    """What happens to a member in a day: a wrong and a right login, every
    page, download and print, an SMS code (forgot password), a phone change
    at the counter."""
    member = person.member
    captcha = {"captcha_0": "t", "captcha_1": "PASSED"}
    client.post("/", {"identifier": member.id_number, "password": "Wrong#2026a", **captcha})
    client.post("/", {"identifier": member.phone, "password": "Wrong#2026a", **captcha})
    client.post("/admin/login/", {"username": member.id_number, "password": "x", **captcha})
    client.post("/admin/login/", {"username": member.phone, "password": "x", **captcha})
    client.post("/", {"identifier": member.id_number, "password": "Secret#2026a", **captcha})
    texts = []
    for url in member_urls():
        for query in ({}, {"contract": person.markers[4]}, {"contract": person.markers[4], "format": "xlsx"}):
            client.force_login(person.user)
            response = client.get(url.path(), query)
            if response.status_code == HTTPStatus.OK:
                texts.append((f"{url.path()} {query}", response_text(response)))
    client.logout()
    client.post("/password/forgot/", {"name": member.name, "id_number": member.id_number, **captcha})
    client.post("/password/forgot/sms/", {"action": "send"})
    staff = StaffUserFactory()
    inquiry_services.member_phone_change(member=member, phone=NEW_PHONE, changed_by=staff)
    return texts


def test_no_member_page_download_or_pdf_holds_a_full_number(client, person):
    texts = _exercise(client, person)
    assert len(texts) >= 10
    leaks = [f"{where}: {_found(text, person)}" for where, text in texts if _found(text, person)]
    assert not leaks, "\n".join(leaks)
    # The pages did show the member's identity, masked.
    assert any(person.member.id_number[:6] + "********" in text for _, text in texts)


def test_no_sms_log_audit_row_or_log_line_holds_a_full_number(client, person, caplog):
    caplog.set_level(logging.DEBUG)
    _exercise(client, person)
    assert SmsLog.objects.exists() and AuditEvent.objects.count() >= 5
    rows = [str(model_to_dict(row)) for row in SmsLog.objects.all()]
    rows += [str(model_to_dict(row)) for row in AuditEvent.objects.all()]
    leaks = [row for row in rows if _found(row, person)]
    assert not leaks, "\n".join(leaks)
    assert not _found(caplog.text, person)


def test_no_json_log_line_holds_a_full_number_even_when_code_logs_one(client, person, json_log):
    """The JSON lines the log collector receives: every line of the day's
    requests, and a careless message and traceback quoting both numbers, which
    the scrub filter masks."""
    _exercise(client, person)
    careless = logging.getLogger("zzgjj_portal.tests.careless")
    careless.warning("member %s phone %s", person.member.id_number, person.member.phone)
    try:
        raise ValueError(f"no account for {person.member.id_number}")
    except ValueError:
        careless.exception("lookup failed for %s", person.member.phone)
    lines = json_log()
    assert len(lines) >= 3 and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    leaks = [line for line in lines if _found(str(line), person)]
    assert not leaks, leaks


def _staff_without_full_identity():
    user = StaffUserFactory(is_superuser=False)
    user.user_permissions.set(Permission.objects.exclude(codename="view_full_identity"))
    return user


def _admin_pages(client):
    """Every admin list, and the change page of each model's first row."""
    for url in all_urls():
        if not url.is_admin or url.is_public or not url.name:
            continue
        if url.name.endswith("_changelist"):
            yield url.path(), client.get(url.path())
        elif url.name.endswith("_change") and "object_id" in url.args:
            app_label, _, model_name = url.name.removesuffix("_change").partition("_")
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                continue
            for pk in model._default_manager.values_list("pk", flat=True)[:3]:
                path = url.path(object_id=pk)
                yield path, client.get(path)


def test_admin_without_the_permission_never_shows_a_full_number(client, person):
    _exercise(client, person)
    log_in_staff(client, _staff_without_full_identity())
    pages = list(_admin_pages(client))
    assert len(pages) >= 15
    leaks = [path for path, response in pages if _found(response.content.decode(), person)]
    assert not leaks, leaks
    assert all(response.status_code < 500 for _, response in pages)


def test_admin_with_the_permission_shows_the_full_number_on_the_member_page_only(client, person):
    user = _staff_without_full_identity()
    user.user_permissions.add(Permission.objects.get(codename="view_full_identity"))
    log_in_staff(client, user)
    html = client.get(f"/admin/inquiry/member/{person.member.pk}/change/").content.decode()
    assert person.member.id_number in html and person.member.phone in html
    assert not _found(client.get("/admin/inquiry/member/").content.decode(), person)
