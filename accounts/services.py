"""Writes of the accounts app: login attempts, identity checks, SMS codes,
registration and passwords.

The rules live here, not in the forms: a form only cleans what was typed; the
view calls one of these services, which checks locks, counts failures,
audits, and answers with the result or raises `Refusal` with a code that the
view turns into the manual's message.
"""

import logging
import math
import secrets
from datetime import timedelta
from importlib import import_module
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import flows, lockout, sms, texts, totp
from accounts.models import SmsCode, SmsLog, SmsPurpose, User
from inquiry.models import CLOSED_STATUSES, FundAccount, Member
from zzgjj_portal import outbox, sealing
from zzgjj_portal.audit import audit_record
from zzgjj_portal.masking import mask_login, mask_phone, mask_typed_username
from zzgjj_portal.metrics import count_login
from zzgjj_portal.models import AuditEvent
from zzgjj_portal.net import client_ip
from zzgjj_portal.refusal import Refusal as BaseRefusal

log = logging.getLogger(__name__)


class Refusal(BaseRefusal):
    """A service's "no": `code` for the caller's logic, `message` (the manual's
    words) for the member."""


def _refusal_after_failure(lock, message: str, *, code: str, locked_code: str = "locked") -> Refusal:
    """The refusal of a failure that was just counted: the lock's own message
    when this failure started one (or a lock was already on), else `message`."""
    return Refusal(lock.message, code=locked_code) if lock is not None else Refusal(message, code=code)


def _locked_refusal(*, key: str, ip: str | None, request: HttpRequest, detail: str, member=None, actor=None):
    """Hold the key's counter row until the caller's transaction ends and, when
    the key or the client IP is locked, audit the attempt (its password is never
    checked) and return its refusal; None when the attempt may go on."""
    lockout.counter_hold(key)
    lock = lockout.lock_status(key=key, ip=ip)
    if lock is None:
        return None
    audit_record(kind=AuditEvent.Kind.LOGIN_FAILURE, request=request, member=member, actor=actor, detail=detail)
    return Refusal(lock.message, code="locked")


# --- Login -------------------------------------------------------------------


@count_login("member")
def login_attempt(*, identifier: str, password: str, request: HttpRequest) -> User:
    """The member's login for this ID number or phone and password, or Refusal
    (codes: locked, not_registered, invalid_login).

    Lockout is keyed on the member (ID number and phone name the same one)
    and on the client IP; a locked key is refused before any hash. The
    member's counter row stays locked from the lock check to the count, so
    concurrent wrong passwords are checked one at a time and each one counts:
    no burst can try more passwords than the limit allows.
    """
    key, member = lockout.login_key(identifier)
    ip = client_ip(request)
    with transaction.atomic():
        refusal = _locked_refusal(
            key=key, ip=ip, request=request, member=member, detail=f"{mask_login(identifier)} 锁定中,未校验密码"
        )
        if refusal is None:
            user = authenticate(request, identifier=identifier, password=password)
            if user is not None and member_account_closed(member=user.member):
                # The right password of a member whose account the core closed
                # (销户): no failure to count, and no login.
                refusal = Refusal(texts.CLOSED_NO_LOGIN, code="closed")
            elif user is not None:
                lockout.failures_clear(key=key)
                return user
            elif member is not None and not User.objects.filter(member=member).exists():
                # The manual's helpful answer stays, but it tells whether an ID
                # number or phone belongs to a member: it costs the IP a failure.
                lock = lockout.ip_failure_record(ip=ip, request=request)
                refusal = _refusal_after_failure(lock, texts.NOT_REGISTERED, code="not_registered")
            else:
                lock = lockout.failure_record(key=key, ip=ip, member=member, request=request)
                refusal = _refusal_after_failure(lock, texts.INVALID_LOGIN, code="invalid_login")
    # Raised after the commit, so the counted failure and its audit row are kept.
    raise refusal


def member_account_closed(*, member: Member) -> bool:
    """Whether the member's fund account is 销户 (CLOSED_STATUSES)."""
    return FundAccount.objects.filter(member=member, status__in=CLOSED_STATUSES).exists()


def member_sessions_end(*, user_ids: list[int]) -> int:
    """End every session of these users (their account was closed): each
    session row is read, since only its data names its user; there are as
    many as members logged in within the session lifetime. Deleted through
    the session engine, so a cached copy (cached_db) goes too. Returns how
    many ended."""
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    engine = import_module(settings.SESSION_ENGINE)
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000):
        if str(session.get_decoded().get(SESSION_KEY)) in wanted:
            engine.SessionStore(session_key=session.session_key).delete()
            ended += 1
    return ended


def staff_otp_required() -> bool:
    """Hall staff need a second factor (TOTP) whenever DEBUG is off."""
    return not settings.DEBUG


class StaffLogin(NamedTuple):
    """An accepted staff login. `password_change_required`: the password
    fails the staff rule (AUTH_PASSWORD_VALIDATORS), e.g. one set by
    `createsuperuser --noinput`, which runs no validators; admin then opens
    only its password change until it is changed."""

    user: User
    device: Device | None
    password_change_required: bool


def staff_password_meets_rule(*, user: User, password: str) -> bool:
    """Whether `password` passes the staff password rule for this account."""
    try:
        validate_password(password, user)
    except ValidationError:
        return False
    return True


def _staff_token_replayed(user: User, token: str) -> bool:
    return any(
        isinstance(device, TOTPDevice) and totp.token_replayed(device, token)
        for device in devices_for_user(user, confirmed=True)
    )


@count_login("staff")
def staff_login_attempt(*, username: str, password: str, token: str, request: HttpRequest) -> StaffLogin:
    """Hall staff's admin login for this username, password and TOTP token,
    or Refusal (codes: locked, wait, token_used, invalid_login, no_device).

    The same lockout as members: 5 failures per staff account, 20 per client
    IP (shared with the member login), 15 minutes, the account's counter row
    locked from the lock check to the count. A wrong TOTP token counts like a
    wrong password. Not counted, because they are no guess: a try during the
    short wait after a failure (answered before the password is checked, see
    `lockout.staff_wait`) and a right password with a code that already
    logged in (the same 30-second step). `device` is None only when no second
    factor is required and the account has none (local development)."""
    key, staff = lockout.staff_login_key(username)
    ip = client_ip(request)
    masked = mask_typed_username(username)
    with transaction.atomic():
        refusal = _locked_refusal(
            key=key, ip=ip, request=request, actor=staff, detail=f"管理后台 用户名 {masked} 锁定中,未校验密码"
        )
        wait = lockout.staff_wait(key=key) if refusal is None else None
        if wait is not None:
            refusal = Refusal(texts.STAFF_TOKEN_WAIT.format(seconds=wait), code="wait")
        if refusal is None:
            # authenticate() audits a wrong password (accounts.signals).
            user = authenticate(request, username=username, password=password)
            problem = None
            device = None
            if user is None:
                pass
            elif not (user.is_staff and user.is_active):
                problem = "非工作人员"  # a member's identity: never admin
            elif user_has_device(user):
                if token and _staff_token_replayed(user, token):
                    refusal = Refusal(texts.STAFF_TOKEN_USED, code="token_used")
                    problem = "动态口令已使用,不计失败"
                else:
                    device = match_token(user, token) if token else None
                    problem = None if device is not None else "动态口令错误"
            elif staff_otp_required():
                refusal = Refusal(texts.STAFF_NO_DEVICE, code="no_device")
            if user is not None and problem is None and refusal is None:
                lockout.failures_clear(key=key)
                return StaffLogin(user, device, not staff_password_meets_rule(user=user, password=password))
            if problem:
                audit_record(
                    kind=AuditEvent.Kind.LOGIN_FAILURE,
                    request=request,
                    actor=user,
                    detail=f"管理后台 用户名 {masked} {problem}",
                )
            if refusal is None:
                lock = lockout.failure_record(key=key, ip=ip, request=request)
                refusal = _refusal_after_failure(lock, texts.STAFF_INVALID_LOGIN, code="invalid_login")
    raise refusal


# --- 注册 / 忘记密码: 信息校验 ------------------------------------------------


def identity_verify(*, flow: str, name: str, id_number: str, request: HttpRequest) -> Member:
    """信息校验 of the registration or forgot-password flow: the member named
    `name` with `id_number` who may go on, or Refusal (throttled, refused).

    Apart from the refusals the manual names, a pair that matches nobody gets
    the same answer as a wrong pair, and refusals per client IP are limited
    like login failures, so the step cannot be used to look members up.
    """
    throttle_key = f"identity:{client_ip(request)}"
    message = lockout.identity_lock(key=throttle_key)
    if message is not None:
        raise Refusal(message, code="throttled")
    member = Member.objects.select_related("fund_account").filter(id_number=id_number, name=name).first()
    refusal = _identity_refusal(flow=flow, member=member)
    if refusal is not None:
        lockout.identity_failure_add(key=throttle_key)
        raise Refusal(refusal, code="refused")
    return member


def _identity_refusal(*, flow: str, member: Member | None) -> str | None:
    """Why this member may not register (or reset), in the manual's order; None if they may."""
    if member is None:
        return texts.IDENTITY_MISMATCH
    account = getattr(member, "fund_account", None)
    if account is not None and account.is_closed:
        return texts.CLOSED_NO_REGISTER if flow == flows.REGISTER else texts.CLOSED_NO_RESET
    registered = User.objects.filter(member=member).exists()
    if flow == flows.REGISTER and registered:
        return texts.ALREADY_REGISTERED
    if flow == flows.RESET and not registered:
        return texts.NOT_REGISTERED
    if not member.phone:
        return texts.NO_PHONE
    return None


# --- SMS codes -------------------------------------------------------------


class SmsError(Exception):
    """A refusal to send or accept a code; `str(exc)` is the member-facing message."""


def _code_hash(*, salt: str, member_id: int, purpose: str, code: str) -> str:
    # HMAC keyed with SECRET_KEY: a leaked table row does not give the code
    # away, and a random salt per row keeps equal codes from looking equal.
    return salted_hmac("accounts.sms_code", f"{salt}:{member_id}:{purpose}:{code}", algorithm="sha256").hexdigest()


def _check_send_limits(*, phone: str, ip: str | None, now) -> None:
    """Raise SmsError when this phone or client IP may not get a code now.

    Counts the stored codes (sliding windows); the caller holds the member's
    row lock, so two sends to one phone cannot both pass the 60 s check."""
    per_phone = SmsCode.objects.filter(phone=phone)
    last = per_phone.order_by("-created_at").values_list("created_at", flat=True).first()
    cooldown = timedelta(seconds=settings.ACCOUNTS_SMS_COOLDOWN)
    if last is not None and last > now - cooldown:
        raise SmsError(texts.SMS_COOLDOWN.format(seconds=math.ceil((last + cooldown - now).total_seconds())))
    if per_phone.filter(created_at__gt=now - timedelta(hours=1)).count() >= settings.ACCOUNTS_SMS_PHONE_PER_HOUR:
        raise SmsError(texts.SMS_PHONE_HOURLY)
    if per_phone.filter(created_at__gt=now - timedelta(days=1)).count() >= settings.ACCOUNTS_SMS_PHONE_PER_DAY:
        raise SmsError(texts.SMS_PHONE_DAILY)
    if ip:
        per_ip = SmsCode.objects.filter(ip=ip)
        if (
            per_ip.filter(created_at__gt=now - timedelta(hours=1)).count() >= settings.ACCOUNTS_SMS_IP_PER_HOUR
            or per_ip.filter(created_at__gt=now - timedelta(days=1)).count() >= settings.ACCOUNTS_SMS_IP_PER_DAY
        ):
            raise SmsError(texts.SMS_IP_LIMIT)


SMS_KIND = "accounts.sms"


def sms_code_send(*, member: Member, purpose: str, request: HttpRequest) -> str:
    """Issue a new code for the member's reserved phone and return the masked
    phone. The previous code of the same purpose dies.

    The message itself is sent by a job (sms_code_deliver) after the commit,
    never inside the request: a slow gateway holds no web worker. Its text
    waits in the outbox sealed, and is gone from the row once sent.

    Raises SmsError (limits, no phone)."""
    ip = client_ip(request)
    digits = settings.ACCOUNTS_SMS_CODE_LENGTH
    code = f"{secrets.randbelow(10**digits):0{digits}d}"
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if not locked.phone:
            raise SmsError(texts.NO_PHONE)
        now = timezone.now()
        _check_send_limits(phone=locked.phone, ip=ip, now=now)
        SmsCode.objects.filter(member=locked, purpose=purpose, active=True).update(active=False)
        salt = secrets.token_hex(16)
        row = SmsCode.objects.create(
            member=locked,
            phone=locked.phone,
            purpose=purpose,
            salt=salt,
            code_hash=_code_hash(salt=salt, member_id=locked.pk, purpose=purpose, code=code),
            ip=ip,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.ACCOUNTS_SMS_CODE_TTL),
        )
        minutes = settings.ACCOUNTS_SMS_CODE_TTL // 60
        text = texts.SMS_TEXT.format(purpose=SmsPurpose(purpose).label, code=code, minutes=minutes)
        outbox.outbox_put(kind=SMS_KIND, payload={"code_id": row.pk, "sealed": sealing.seal(text)})
        audit_record(
            kind=AuditEvent.Kind.SMS_SENT,
            request=request,
            member=locked,
            detail=f"{SmsPurpose(purpose).label} {mask_phone(row.phone)}",
        )
    return mask_phone(row.phone)


def sms_code_deliver(payload: dict, item) -> None:
    """The outbox handler of sms_code_send: hand the text to the SMS backend
    and record the outcome in the SMS log. A failed gateway is tried again
    with a growing wait while the code is still valid; then the code dies, and
    the member asks for another (the page's 重新发送)."""
    row = SmsCode.objects.filter(pk=payload["code_id"]).select_related("member").first()
    now = timezone.now()
    if row is None or not row.active or row.used_at is not None:
        raise outbox.GiveUp("验证码已失效,不再发送")
    if row.expires_at <= now:
        raise outbox.GiveUp("验证码已过期,不再发送")
    text = sealing.unseal(payload.get("sealed", ""))
    if text is None:
        raise outbox.GiveUp("短信内容无法解封")
    try:
        result, ok = sms.get_backend().send(sms.SmsMessage(phone=row.phone, text=text)), True
    except sms.SmsSendError as exc:
        result, ok = str(exc), False
    except Exception as exc:  # noqa: BLE001 - any backend fault is logged, never shown
        log.exception("SMS backend failed")
        result, ok = f"{type(exc).__name__}", False
    SmsLog.objects.create(
        created_at=timezone.now(),
        member=row.member,
        phone_masked=mask_phone(row.phone),
        purpose=row.purpose,
        backend=sms.backend_name(),
        ok=ok,
        result=result[:300],
    )
    if ok:
        return
    wait = outbox.backoff_seconds(item.attempts)
    if timezone.now() + timedelta(seconds=wait) >= row.expires_at:
        SmsCode.objects.filter(pk=row.pk).update(active=False)
        raise outbox.GiveUp(f"短信发送失败,验证码有效期内不再重试:{result}")
    raise outbox.RetryLater(result, seconds=wait)


def sms_code_verify(*, member: Member, purpose: str, code: str) -> None:
    """Accept `code` once, or raise SmsError saying why not (none, expired,
    wrong with tries left, dead after too many tries)."""
    error = None
    with transaction.atomic():
        row = (
            SmsCode.objects.select_for_update()
            .filter(member=member, purpose=purpose)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or row.used_at is not None or row.phone != member.phone:
            raise SmsError(texts.SMS_NONE)
        if not row.active:
            raise SmsError(texts.SMS_DEAD if row.failed_tries >= settings.ACCOUNTS_SMS_MAX_TRIES else texts.SMS_NONE)
        now = timezone.now()
        expected = _code_hash(salt=row.salt, member_id=member.pk, purpose=purpose, code=code)
        if row.expires_at <= now:
            row.active = False
            error = texts.SMS_EXPIRED
        elif constant_time_compare(expected, row.code_hash):
            row.active = False
            row.used_at = now
        else:
            row.failed_tries += 1
            left = settings.ACCOUNTS_SMS_MAX_TRIES - row.failed_tries
            if left <= 0:
                row.active = False
                error = texts.SMS_DEAD
            else:
                error = texts.SMS_WRONG.format(left=left)
        row.save(update_fields=["active", "used_at", "failed_tries"])
    # Raised after the commit, so the counted try is kept.
    if error:
        raise SmsError(error)


# --- Registration and passwords ---------------------------------------------


class RegistrationConflict(Exception):
    """The member was registered meanwhile (another browser won the race)."""


def registration_complete(*, member: Member, password: str, request: HttpRequest) -> User:
    """Create the member's online identity with `password`.

    The one-to-one on `member` makes concurrent registrations end with exactly
    one user; the loser gets RegistrationConflict and nothing is changed."""
    user = User(username=f"member-{member.pk}", member=member)
    user.set_password(password)  # hashed before the transaction: Argon2 is slow
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise RegistrationConflict from exc
    audit_record(kind=AuditEvent.Kind.REGISTERED, request=request, member=member, actor=user)
    return user


@transaction.atomic
def password_reset(*, member: Member, password: str, request: HttpRequest) -> User:
    """Set a new password after SMS verification. Every session of the member
    ends (the session auth hash changes) and the lockout counter is cleared."""
    user = User.objects.select_for_update().get(member=member)
    user.set_password(password)
    user.save(update_fields=["password"])
    lockout.failures_clear(key=lockout.member_key(member))
    audit_record(kind=AuditEvent.Kind.PASSWORD_RESET, request=request, member=member, actor=user)
    return user


def password_old_check(*, user: User, password: str, request: HttpRequest) -> None:
    """修改密码's 原密码: pass, or Refusal (codes: locked, the member or IP is
    locked already; locked_now, this wrong password started a lock and the
    caller must end the session; wrong). A wrong one counts toward the lockout."""
    key = lockout.member_key(user.member)
    ip = client_ip(request)
    refusal = None
    with transaction.atomic():
        lockout.counter_hold(key)
        lock = lockout.lock_status(key=key, ip=ip)
        if lock is not None:
            refusal = Refusal(lock.message, code="locked")
        elif not user.check_password(password):
            lock = lockout.failure_record(key=key, ip=ip, member=user.member, request=request)
            refusal = _refusal_after_failure(lock, texts.OLD_PASSWORD_WRONG, code="wrong", locked_code="locked_now")
    if refusal is not None:
        raise refusal


@transaction.atomic
def password_change(*, user: User, password: str, request: HttpRequest) -> User:
    """Change the logged-in member's password: this session stays logged in,
    every other session ends (their auth hash no longer matches)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)
    audit_record(kind=AuditEvent.Kind.PASSWORD_CHANGED, request=request, member=user.member, actor=user)
    return user


# --- 长辈模式 -----------------------------------------------------------------


@transaction.atomic
def elder_mode_set(*, user: User, on: bool) -> None:
    """长辈模式 on or off for a member, saved on the login identity so that it
    holds on every device. The wanted state is posted (not "toggle"), so a
    double submission does one thing."""
    User.objects.filter(pk=user.pk).update(elder_mode=on)
    user.elder_mode = on


def elder_mode_at_login(*, user: User, visitor_choice: bool | None) -> bool:
    """The mode a member's first page after login shows, which the caller also
    writes to the browser's cookie. The browser's choice (the cookie, what the
    login page was shown in) is the latest one made where the member is now,
    so it wins and is saved: the page never turns into the other mode on
    logging in. A browser without one takes the member's saved choice."""
    if visitor_choice is None:
        return user.elder_mode
    if visitor_choice != user.elder_mode:
        elder_mode_set(user=user, on=visitor_choice)
    return visitor_choice
