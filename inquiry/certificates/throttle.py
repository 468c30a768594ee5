"""/verify/ limits per client IP: wrong 核验码 are counted per hour in the
database (VerifyThrottle), so every worker and node sees one count. Past
INQUIRY_VERIFY_FREE_FAILURES the page asks for a captcha with each code; past
INQUIRY_VERIFY_MAX_FAILURES it answers 429 until the hour is over. The hour
starts with the client's first wrong code. A right code never resets the
count: a guesser who found one keeps their limits.

A try (`verify_attempt`) reads the client's count, looks the code up, and
counts a wrong code with one statement that adds it only below the limit
(INSERT ... ON CONFLICT DO UPDATE ... WHERE, RETURNING the new count): every
wrong code is counted, the count never passes INQUIRY_VERIFY_MAX_FAILURES,
and a wrong code that finds the limit reached is answered 429, as is every
try after it. Nothing is locked across the lookup: a bank's tellers behind
one address verify side by side instead of one after another (an earlier
version locked the counter row for each try, and /verify/ ran at a fifth of
the anonymous floor in make bench). The price: tries already under way when
a burst reaches the limit are still looked up, so a burst of N simultaneous
wrong codes may look up N - 1 more than the limit before the answers stop;
with 99-bit codes that changes nothing an attacker can use.

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
from django.db import connections, router
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


# The client's count and when its hour started: read on every try, so compiled once per process.
_state = CompiledRead(
    lambda key: VerifyThrottle.objects.filter(key=key).values_list("window_started_at", "failures")[:1], key=str
)


def _current_gate(key: str, now: datetime) -> Gate:
    row = _state(key=key)
    return _gate(*row[0], now) if row else OPEN


def verify_gate(*, ip: str | None) -> Gate:
    """Whether this client must solve a captcha or is shut out for now (the
    form to show; `verify_attempt` reads the count again when a code is tried)."""
    return _current_gate(_key(ip), timezone.now())


def verify_attempt(*, ip: str | None, captcha_solved: Callable[[], bool], lookup: Callable[[], T | None]) -> Attempt[T]:
    """Run `lookup()` (a code's certificate, or None) for this client unless
    it is shut out or owes a captcha, and count a None as a wrong code. A
    refused try is neither looked up nor counted, whatever the code, so a
    right one answers exactly as a wrong one does; a wrong code that finds the
    limit reached answers as a refused one (429).

    `captcha_solved()` is asked only when the count calls for a captcha (a
    captcha is used up when checked)."""
    key, now = _key(ip), timezone.now()
    gate = _current_gate(key, now)
    if gate.blocked or (gate.captcha and not captcha_solved()):
        return Attempt(found=None, gate=gate, refused=True)
    found = lookup()
    if found is None:
        failures = _failure_add(key, now)
        if failures is None or failures >= settings.INQUIRY_VERIFY_MAX_FAILURES:
            # At the limit: what is left of the hour, for Retry-After.
            return Attempt(found=None, gate=_current_gate(key, now), refused=failures is None)
        gate = Gate(captcha=failures >= settings.INQUIRY_VERIFY_FREE_FAILURES, blocked=False, retry_after=0)
    return Attempt(found=found, gate=gate)


# One wrong code, in one statement: a new row at 1; an ended hour starts again
# at 1; else one more, but only below the limit (the WHERE), so the count
# stops at INQUIRY_VERIFY_MAX_FAILURES and a try that finds it there gets no
# row back. SET expressions read the row as it was (PostgreSQL and SQLite).
_FAILURE_ADD = (
    f"INSERT INTO {VerifyThrottle._meta.db_table} AS t (key, window_started_at, failures) "  # noqa: S608 - names from the model, values as parameters
    "VALUES (%s, %s, 1) ON CONFLICT (key) DO UPDATE SET "
    "failures = CASE WHEN t.window_started_at <= %s THEN 1 ELSE t.failures + 1 END, "
    "window_started_at = CASE WHEN t.window_started_at <= %s THEN %s ELSE t.window_started_at END "
    "WHERE t.failures < %s OR t.window_started_at <= %s "
    "RETURNING failures"
)


def _failure_add(key: str, now: datetime) -> int | None:
    """Count one wrong code; the client's count after it, or None when the
    limit had already been reached (nothing counted)."""
    connection = connections[router.db_for_write(VerifyThrottle)]
    adapt = connection.ops.adapt_datetimefield_value
    ended = adapt(now - _window())
    limit = settings.INQUIRY_VERIFY_MAX_FAILURES
    with connection.cursor() as cursor:
        cursor.execute(_FAILURE_ADD, [key, adapt(now), ended, ended, adapt(now), limit, ended])
        row = cursor.fetchone()
    return row[0] if row else None


def verify_throttles_prune() -> int:
    """Delete the rows whose hour has ended (run daily by celery beat,
    inquiry.jobs); returns how many. A client seen again starts at zero,
    as it would with its row kept."""
    deleted, _ = VerifyThrottle.objects.filter(window_started_at__lte=timezone.now() - _window()).delete()
    return deleted
