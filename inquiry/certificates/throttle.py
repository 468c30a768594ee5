"""/verify/ limits per client IP: wrong 核验码 are counted per hour in the
database (VerifyThrottle), so every worker and node sees one count. Past
INQUIRY_VERIFY_FREE_FAILURES the page asks for a captcha with each code; past
INQUIRY_VERIFY_MAX_FAILURES it answers 429 until the hour is over. The hour
starts with the client's first wrong code. A right code never resets the
count: a guesser who found one keeps their limits.

A try is one step with its count (`verify_attempt`): the client's counter row
is locked for the lookup, so simultaneous tries from one client are looked up
one after the other and none gets past a limit that the ones before it
reached. Looking a code up is one indexed read, so the lock is brief.

With 99-bit codes, 30 guesses an hour find nothing; the limit keeps the
endpoint from being a free oracle and the database from being a target.
"""

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from inquiry.models import VerifyThrottle
from zzgjj_portal.compiled import CompiledRead

T = TypeVar("T")


@dataclass(frozen=True)
class Gate:
    """What /verify/ asks of this client now."""

    captcha: bool
    blocked: bool
    # Seconds until the window ends (for Retry-After when blocked).
    retry_after: int


OPEN = Gate(captcha=False, blocked=False, retry_after=0)


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """One try of a code: what the lookup found (None: nothing, or not looked
    up) and what the client is asked from now on."""

    found: T | None
    gate: Gate
    # Not looked up: the client is shut out, or needed a captcha it did not
    # solve (the count passed the free tries while the form was on its way).
    refused: bool = False


def _key(ip: str | None) -> str:
    # A digest, not the address: the table needs to tell clients apart, not name them.
    return "verify:" + hashlib.sha256((ip or "unknown").encode()).hexdigest()[:40]


def _window() -> timedelta:
    return timedelta(minutes=settings.INQUIRY_VERIFY_WINDOW_MINUTES)


def _fresh(started: datetime, failures: int, now: datetime) -> bool:
    """No wrong code counts: none yet, or the hour they opened has ended."""
    return failures == 0 or started + _window() <= now


def _gate(started: datetime, failures: int, now: datetime) -> Gate:
    if _fresh(started, failures, now):
        return OPEN
    return Gate(
        captcha=failures >= settings.INQUIRY_VERIFY_FREE_FAILURES,
        blocked=failures >= settings.INQUIRY_VERIFY_MAX_FAILURES,
        retry_after=max(1, math.ceil((started + _window() - now).total_seconds())),
    )


def verify_gate(*, ip: str | None) -> Gate:
    """Whether this client must solve a captcha or is shut out for now (a
    read: the form to show; `verify_attempt` decides again under the lock)."""
    row = VerifyThrottle.objects.filter(key=_key(ip)).values_list("window_started_at", "failures").first()
    return OPEN if row is None else _gate(*row, timezone.now())


def verify_attempt(*, ip: str | None, captcha_solved: Callable[[], bool], lookup: Callable[[], T | None]) -> Attempt[T]:
    """Run `lookup()` (a code's certificate, or None) for this client unless
    it is shut out or owes a captcha, and count a None as a wrong code, as one
    step: the client's counter row (created at zero) stays locked until the
    count is written. A refused try is neither looked up nor counted, whatever
    the code, so a right one answers exactly as a wrong one does.

    `captcha_solved()` is asked only when the count calls for a captcha: the
    gate is read here, under the lock, not before, so a try costs one locked
    read of the counter and no second look (and a captcha, which is used up
    when checked, is only checked when it is owed)."""
    key, now = _key(ip), timezone.now()
    with transaction.atomic():
        row = _counter_locked(key, now)
        gate = _gate(row.window_started_at, row.failures, now)
        if gate.blocked or (gate.captcha and not captcha_solved()):
            return Attempt(found=None, gate=gate, refused=True)
        found = lookup()
        if found is None:
            if _fresh(row.window_started_at, row.failures, now):
                # The first wrong code (of all, or since the last hour ended) opens the hour.
                row.window_started_at, row.failures = now, 0
            row.failures += 1
            row.save(update_fields=["window_started_at", "failures"])
            gate = _gate(row.window_started_at, row.failures, now)
    return Attempt(found=found, gate=gate)


# The client's counter row, locked: read on every try, so compiled once per process.
_locked = CompiledRead(lambda key: VerifyThrottle.objects.select_for_update().filter(key=key)[:1], key=str)


def _counter_locked(key: str, now: datetime) -> VerifyThrottle:
    """The client's counter row, locked until the transaction ends; made at
    zero the first time (a client racing itself: the other insert wins and
    this one locks that row)."""
    found = _locked(key=key)
    if found:
        return found[0]
    try:
        with transaction.atomic():
            return VerifyThrottle.objects.create(key=key, window_started_at=now, failures=0)
    except IntegrityError:
        return _locked(key=key)[0]


def verify_throttles_prune() -> int:
    """Delete the rows whose hour has ended (run daily by celery beat,
    inquiry.jobs); returns how many. A client seen again starts at zero,
    as it would with its row kept."""
    deleted, _ = VerifyThrottle.objects.filter(window_started_at__lte=timezone.now() - _window()).delete()
    return deleted
