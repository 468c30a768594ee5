"""The daily cleanup command and the SMS deployment checks."""

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from accounts import checks, services
from accounts.models import LoginThrottle, SmsCode, SmsPurpose


@pytest.mark.django_db
def test_accounts_cleanup_keeps_what_limits_still_count(member, clock):
    services.sms_code_send(member=member, purpose=SmsPurpose.REGISTER, request=RequestFactory().post("/"))
    LoginThrottle.objects.create(key="member:1", failures=2, last_failure_at=clock.now)
    call_command("accounts_cleanup")
    assert SmsCode.objects.count() == 1 and LoginThrottle.objects.count() == 1
    clock.advance(days=1, seconds=1)
    call_command("accounts_cleanup")
    assert SmsCode.objects.count() == 0 and LoginThrottle.objects.count() == 0


def test_sms_backend_check_warns_about_local_backends_in_production(settings):
    settings.DEBUG = False
    settings.SMS_BACKEND = "accounts.sms.ConsoleBackend"
    assert [w.id for w in checks.sms_backend_check(None)] == ["accounts.W001"]
    settings.SMS_BACKEND = "accounts.sms.GatewayBackend"
    settings.SMS_GATEWAY_URL = ""
    assert [w.id for w in checks.sms_backend_check(None)] == ["accounts.W002"]
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_KEY = "https://sms.example.cn/send", "k"
    assert checks.sms_backend_check(None) == []
