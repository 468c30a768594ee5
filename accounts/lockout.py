"""Login lockout: 5 failures lock the member, 20 failures lock the client IP,
each for 15 minutes, lifting by themselves.

A small database-backed counter (`LoginThrottle`) instead of django-axes:
axes applies one failure limit to every lockout parameter, while we need 5
per member and 20 per IP, and it keys on what was typed, while an ID number
and a phone are the same member here. Rows are locked with SELECT ... FOR
UPDATE, so the counts hold across gunicorn workers.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import texts
from accounts.models import LoginThrottle, User
from inquiry.models import Member
from zzgjj_portal.audit import audit_record
from zzgjj_portal.identity import normalize_id_number
from zzgjj_portal.models import AuditEvent


def _period() -> timedelta:
    return timedelta(minutes=settings.ACCOUNTS_LOCKOUT_MINUTES)


def member_key(member: Member) -> str:
    return f"member:{member.pk}"


def login_key(identifier: str) -> tuple[str, Member | None]:
    """The lockout key of what was typed: the member it names, whether by ID
    number or by phone; an unknown identifier gets its own key (a digest), so
    locking looks the same whether or not the member exists."""
    member = Member.objects.by_login(identifier).first()
    if member is not None:
        return member_key(member), member
    digest = hashlib.sha256(normalize_id_number((identifier or "").strip()).encode()).hexdigest()[:40]
    return f"login:{digest}", None


def ip_key(ip: str | None) -> str | None:
    return f"ip:{ip}" if ip else None


def _remaining(key: str | None, limit: int) -> timedelta | None:
    if key is None:
        return None
    row = LoginThrottle.objects.filter(key=key).first()
    if row is None or row.failures < limit:
        return None
    left = row.last_failure_at + _period() - timezone.now()
    return left if left > timedelta(0) else None


def _minutes(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds() / 60))


@dataclass(frozen=True)
class Lock:
    message: str
    remaining: timedelta


def lock_status(*, key: str | None, ip: str | None) -> Lock | None:
    """The lock that applies to this member key or client IP, if any."""
    left = _remaining(key, settings.ACCOUNTS_LOCKOUT_MEMBER_FAILURES)
    if left is not None:
        return Lock(texts.LOCKED.format(minutes=_minutes(left)), left)
    left = _remaining(ip_key(ip), settings.ACCOUNTS_LOCKOUT_IP_FAILURES)
    if left is not None:
        return Lock(texts.IP_LOCKED.format(minutes=_minutes(left)), left)
    return None


def counter_hold(key: str) -> None:
    """Lock the key's counter row (creating it at zero) until the caller's
    transaction ends, so that a lock check, the password check and the count
    of its failure happen as one step for that key (PostgreSQL row lock;
    SQLite serialises writers anyway)."""
    LoginThrottle.objects.select_for_update().get_or_create(
        key=key, defaults={"failures": 0, "last_failure_at": timezone.now()}
    )


@transaction.atomic
def _failure_add(key: str) -> int:
    now = timezone.now()
    row, created = LoginThrottle.objects.select_for_update().get_or_create(
        key=key, defaults={"failures": 1, "last_failure_at": now}
    )
    if not created:
        # A quiet period as long as the lock starts the count over.
        row.failures = 1 if row.last_failure_at <= now - _period() else row.failures + 1
        row.last_failure_at = now
        row.save(update_fields=["failures", "last_failure_at"])
    return row.failures


def failure_record(*, key: str, ip: str | None, member: Member | None = None, request=None) -> Lock | None:
    """Count one failed password for the member key and the IP; return the
    lock when this failure started one (and audit it)."""
    member_failures = _failure_add(key)
    ip_failures = _failure_add(ip_key(ip)) if ip else 0
    started = []
    if member_failures == settings.ACCOUNTS_LOCKOUT_MEMBER_FAILURES:
        started.append(f"账户锁定{settings.ACCOUNTS_LOCKOUT_MINUTES}分钟")
    if ip_failures == settings.ACCOUNTS_LOCKOUT_IP_FAILURES:
        started.append(f"IP {ip} 锁定{settings.ACCOUNTS_LOCKOUT_MINUTES}分钟")
    if started:
        audit_record(kind=AuditEvent.Kind.LOCKOUT, request=request, member=member, detail=";".join(started))
    return lock_status(key=key, ip=ip)


def ip_failure_record(*, ip: str | None, request=None) -> Lock | None:
    """Count one failure against the client IP only (an answer that tells the
    visitor something, e.g. 「您尚未注册」, without being a wrong password:
    asking it over and over must cost a lock like guessing does)."""
    if not ip:
        return None
    if _failure_add(ip_key(ip)) == settings.ACCOUNTS_LOCKOUT_IP_FAILURES:
        audit_record(
            kind=AuditEvent.Kind.LOCKOUT,
            request=request,
            detail=f"IP {ip} 锁定{settings.ACCOUNTS_LOCKOUT_MINUTES}分钟",
        )
    left = _remaining(ip_key(ip), settings.ACCOUNTS_LOCKOUT_IP_FAILURES)
    return Lock(texts.IP_LOCKED.format(minutes=_minutes(left)), left) if left is not None else None


def staff_login_key(username: str) -> tuple[str, User | None]:
    """The lockout key of a staff username typed at the admin login: the
    staff account it names, else a digest of what was typed (so an unknown
    name locks the same way and the key table holds no typed text)."""
    user = User.objects.filter(username=username, is_staff=True).first() if username else None
    if user is not None:
        return f"staff:{user.pk}", user
    digest = hashlib.sha256((username or "").encode("utf-8", "replace")).hexdigest()[:40]
    return f"staff-login:{digest}", None


def staff_wait(*, key: str) -> int | None:
    """Seconds before this staff account (or typed username) may try again:
    ACCOUNTS_STAFF_RETRY_WAIT_SECONDS after the first failure, doubling with
    each (1, 2, 4, 8 …) until the lock. It replaces django-otp's own wait
    (OTP_TOTP_THROTTLE_FACTOR = 0), which refused even the right code with
    the wrong-login message and counted it; this one is said as such and
    never counted. It follows every counted failure of the key, a wrong
    password as well as a wrong code, known username or not, so the wait
    tells nothing about what was typed."""
    row = LoginThrottle.objects.filter(key=key).first()
    now = timezone.now()
    if row is None or row.failures < 1 or row.last_failure_at <= now - _period():
        return None
    wait = timedelta(seconds=settings.ACCOUNTS_STAFF_RETRY_WAIT_SECONDS * 2 ** (row.failures - 1))
    left = (row.last_failure_at + wait - now).total_seconds()
    return math.ceil(left) if left > 0 else None


def failures_clear(*, key: str) -> None:
    """A successful login or a password reset clears the member's counter."""
    LoginThrottle.objects.filter(key=key).delete()


def throttle_remaining(*, key: str, limit: int) -> timedelta | None:
    """How long `key` stays locked, having reached `limit` failures (None: not
    locked). The same counters as the logins, for other apps' throttles
    (the push API's invalid tokens), so there is one mechanism to reason about."""
    return _remaining(key, limit)


def throttle_failure_add(*, key: str) -> int:
    """Count one failure for `key`; returns the count in the current period."""
    return _failure_add(key)


def identity_lock(*, key: str) -> str | None:
    """The message when this client made too many refused 信息校验 attempts."""
    left = _remaining(key, settings.ACCOUNTS_IDENTITY_IP_FAILURES)
    return texts.IDENTITY_TOO_MANY.format(minutes=_minutes(left)) if left is not None else None


def identity_failure_add(*, key: str) -> None:
    _failure_add(key)


@transaction.atomic
def captcha_issue_allowed(*, ip: str | None) -> bool:
    """Whether this client IP may have one more captcha (each page with a
    captcha stores a challenge row): at most ACCOUNTS_CAPTCHA_PER_IP_PER_MINUTE
    in a fixed one-minute window that opens with the first one. The row is
    locked, so gunicorn workers share the count."""
    if not ip:
        return True
    now = timezone.now()
    row, created = LoginThrottle.objects.select_for_update().get_or_create(
        key=f"captcha:{ip}", defaults={"failures": 1, "last_failure_at": now}
    )
    if created:
        return True
    # For this key `last_failure_at` is when the current window opened.
    if row.last_failure_at <= now - timedelta(minutes=1):
        row.failures, row.last_failure_at = 1, now
    else:
        row.failures += 1
    row.save(update_fields=["failures", "last_failure_at"])
    return row.failures <= settings.ACCOUNTS_CAPTCHA_PER_IP_PER_MINUTE
