"""SMS codes: lifetime, tries, single use, cooldown and send caps."""

from datetime import timedelta

import pytest
from django.test import RequestFactory

from accounts import services, texts
from accounts.models import SmsCode, SmsLog, SmsPurpose
from accounts.tests.conftest import deliver_sms, last_code
from inquiry.tests.factories import FundAccountFactory
from zzgjj_portal.models import AuditEvent, OutboxItem

REGISTER = SmsPurpose.REGISTER


def _request(ip="10.0.0.1"):
    return RequestFactory().post("/", REMOTE_ADDR=ip)


def _send(member, ip="10.0.0.1", purpose=REGISTER):
    masked = services.sms_code_send(member=member, purpose=purpose, request=_request(ip))
    deliver_sms()  # the job, right after the commit
    return masked


def _verify(member, code, purpose=REGISTER):
    services.sms_code_verify(member=member, purpose=purpose, code=code)


@pytest.mark.django_db
def test_sms_code_send_sends_six_digits_and_stores_only_a_hash(member, sms_outbox):
    masked = _send(member)
    code = last_code(sms_outbox)
    assert masked == member.phone[:3] + "****" + member.phone[-4:]
    assert sms_outbox[0].phone == member.phone
    row = SmsCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    log = SmsLog.objects.get()
    assert log.ok and log.phone_masked == masked and log.purpose == REGISTER
    assert code not in log.result
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SMS_SENT, member=member).exists()


@pytest.mark.django_db
def test_sms_code_verify_accepts_the_code_once(member, sms_outbox):
    _send(member)
    code = last_code(sms_outbox)
    _verify(member, code)
    with pytest.raises(services.SmsError, match=texts.SMS_NONE):
        _verify(member, code)


@pytest.mark.django_db
def test_sms_code_verify_refuses_after_five_minutes(member, sms_outbox, clock):
    _send(member)
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(services.SmsError, match=texts.SMS_EXPIRED):
        _verify(member, last_code(sms_outbox))


@pytest.mark.django_db
def test_sms_code_verify_accepts_just_before_expiry(member, sms_outbox, clock):
    _send(member)
    clock.advance(minutes=4, seconds=59)
    _verify(member, last_code(sms_outbox))


@pytest.mark.django_db
def test_sms_code_verify_kills_the_code_after_five_wrong_tries(member, sms_outbox):
    _send(member)
    code = last_code(sms_outbox)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(services.SmsError) as exc:
            _verify(member, wrong)
        assert str(exc.value) == texts.SMS_WRONG.format(left=left)
    with pytest.raises(services.SmsError, match=texts.SMS_DEAD):
        _verify(member, wrong)
    # Even the right code is dead now.
    with pytest.raises(services.SmsError, match=texts.SMS_DEAD):
        _verify(member, code)


@pytest.mark.django_db
def test_sms_code_send_new_code_invalidates_the_previous(member, sms_outbox, clock):
    _send(member)
    first = last_code(sms_outbox)
    clock.advance(seconds=61)
    _send(member)
    second = last_code(sms_outbox)
    if first != second:
        with pytest.raises(services.SmsError):
            _verify(member, first)
    _verify(member, second)


@pytest.mark.django_db
def test_sms_code_codes_are_per_purpose(member, sms_outbox):
    _send(member, purpose=SmsPurpose.RESET)
    with pytest.raises(services.SmsError, match=texts.SMS_NONE):
        _verify(member, last_code(sms_outbox), purpose=REGISTER)


@pytest.mark.django_db
def test_sms_code_send_refuses_within_sixty_seconds(member, sms_outbox, clock):
    _send(member)
    clock.advance(seconds=59)
    with pytest.raises(services.SmsError) as exc:
        _send(member)
    assert str(exc.value) == texts.SMS_COOLDOWN.format(seconds=1)
    assert len(sms_outbox) == 1
    clock.advance(seconds=1)
    _send(member)
    assert len(sms_outbox) == 2


@pytest.mark.django_db
def test_sms_code_send_caps_five_per_phone_per_hour(member, sms_outbox, clock):
    for _ in range(5):
        _send(member)
        clock.advance(seconds=61)
    with pytest.raises(services.SmsError, match=texts.SMS_PHONE_HOURLY):
        _send(member)
    clock.advance(minutes=56)
    _send(member)
    assert len(sms_outbox) == 6


@pytest.mark.django_db
def test_sms_code_send_caps_ten_per_phone_per_day(member, sms_outbox, clock):
    for _ in range(10):
        _send(member)
        clock.advance(minutes=13)  # at most 5 within any hour
    clock.advance(hours=1)
    with pytest.raises(services.SmsError, match=texts.SMS_PHONE_DAILY):
        _send(member)
    clock.advance(hours=23)
    _send(member)


@pytest.mark.django_db
def test_sms_code_send_caps_ten_per_ip_per_hour(sms_outbox, clock):
    members = [FundAccountFactory().member for _ in range(11)]
    for other in members[:10]:
        _send(other, ip="10.9.9.9")
    with pytest.raises(services.SmsError, match=texts.SMS_IP_LIMIT):
        _send(members[10], ip="10.9.9.9")
    # Another client is not affected.
    _send(members[10], ip="10.9.9.10")


@pytest.mark.django_db
def test_sms_code_send_caps_fifty_per_ip_per_day(sms_outbox, clock):
    members = [FundAccountFactory().member for _ in range(51)]
    for index, other in enumerate(members[:50]):
        if index and index % 10 == 0:
            clock.advance(minutes=61)
        _send(other, ip="10.9.9.9")
    clock.advance(minutes=61)
    with pytest.raises(services.SmsError, match=texts.SMS_IP_LIMIT):
        _send(members[50], ip="10.9.9.9")


@pytest.mark.django_db
def test_sms_code_send_without_phone_is_refused(sms_outbox):
    member = FundAccountFactory(member__phone="").member
    with pytest.raises(services.SmsError, match=texts.NO_PHONE):
        _send(member)
    assert sms_outbox == []


@pytest.mark.django_db
def test_sms_code_send_gateway_failure_is_logged_and_tried_again_while_the_code_lives(member, settings, clock):
    settings.SMS_BACKEND = "accounts.sms.GatewayBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    settings.SMS_GATEWAY_TIMEOUT = 1
    _send(member)  # the member is answered at once; the job meets the dead gateway
    log = SmsLog.objects.get()
    assert not log.ok and "无法连接" in log.result and log.backend == "GatewayBackend"
    item = OutboxItem.objects.get(kind=services.SMS_KIND)
    assert item.done_at is None and item.attempts == 1 and "无法连接" in item.last_error
    assert item.next_try_at == clock() + timedelta(seconds=10)  # backs off
    assert SmsCode.objects.get().active  # still valid: the next try may get it through
    # Tries go on with a growing wait until the next wait would outlive the code.
    for _ in range(10):
        clock.advance(seconds=(OutboxItem.objects.get(pk=item.pk).next_try_at - clock()).total_seconds())
        deliver_sms()
        if OutboxItem.objects.get(pk=item.pk).done_at is not None:
            break
    item.refresh_from_db()
    assert item.done_at is not None and "不再重试" in item.last_error
    assert "sealed" not in item.payload  # the text with the code is gone from the row
    assert SmsLog.objects.filter(ok=False).count() == item.attempts == 5  # 10+20+40+80 s, then 160 s > 5 min
    assert not SmsCode.objects.get().active


@pytest.mark.django_db(transaction=True)
def test_sms_code_send_two_at_once_to_one_phone_send_one(sms_outbox):
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("needs a server database with row locks")
    member = FundAccountFactory().member
    barrier = threading.Barrier(4)
    outcomes = []

    def send():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            _send(member)
            outcomes.append("sent")
        except services.SmsError:
            outcomes.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "sent"]
    assert SmsCode.objects.filter(member=member).count() == 1
