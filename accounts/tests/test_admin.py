"""Staff see the SMS log and the audit trail read-only, and never a code."""

from http import HTTPStatus

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts import services
from accounts.models import SmsLog, SmsPurpose
from accounts.tests.conftest import last_code
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_admin_sms_log_lists_masked_phone_and_never_the_code(staff_client, member, sms_outbox):
    services.sms_code_send(member=member, purpose=SmsPurpose.REGISTER, request=RequestFactory().post("/"))
    code = last_code(sms_outbox)  # the job ran and logged the send
    response = staff_client.get(reverse("admin:accounts_smslog_changelist"))
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert member.phone[:3] + "****" + member.phone[-4:] in html
    assert member.phone not in html and code not in html


def test_admin_sms_log_is_read_only(staff_client, member, sms_outbox):
    services.sms_code_send(member=member, purpose=SmsPurpose.REGISTER, request=RequestFactory().post("/"))
    assert len(sms_outbox) == 1  # the job ran and logged the send
    log = SmsLog.objects.get()
    assert staff_client.get(reverse("admin:accounts_smslog_add")).status_code == HTTPStatus.FORBIDDEN
    assert staff_client.post(reverse("admin:accounts_smslog_delete", args=[log.pk])).status_code == (
        HTTPStatus.FORBIDDEN
    )
    response = staff_client.post(reverse("admin:accounts_smslog_change", args=[log.pk]), {"result": "x"})
    assert response.status_code == HTTPStatus.FORBIDDEN or SmsLog.objects.get().result != "x"


def test_admin_sms_codes_are_not_in_admin(staff_client):
    assert staff_client.get("/admin/accounts/smscode/").status_code == HTTPStatus.NOT_FOUND


def test_admin_audit_filters_by_new_kinds(staff_client):
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOCKOUT, detail="lockout-event-1")
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOCKOUT, detail="lockout-event-2")
    AuditEvent.objects.create(kind=AuditEvent.Kind.SMS_SENT, detail="sms-event")
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN_FAILURE, detail="failure-event")
    url = reverse("admin:zzgjj_portal_auditevent_changelist")

    response = staff_client.get(url, {"kind": AuditEvent.Kind.LOCKOUT})
    assert response.status_code == HTTPStatus.OK
    shown = [event.detail for event in response.context["cl"].result_list]
    assert sorted(shown) == ["lockout-event-1", "lockout-event-2"]
    html = response.content.decode()
    assert "sms-event" not in html and "failure-event" not in html

    shown = [
        event.detail for event in staff_client.get(url, {"kind": AuditEvent.Kind.SMS_SENT}).context["cl"].result_list
    ]
    assert shown == ["sms-event"]
