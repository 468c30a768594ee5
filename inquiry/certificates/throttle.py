"""/verify/ limits per client IP: wrong 核验码 are counted per hour in the
database (VerifyThrottle), so every worker and node sees one count. Past
INQUIRY_VERIFY_FREE_FAILURES the page asks for a captcha with each code; past
INQUIRY_VERIFY_MAX_FAILURES it answers 429 until the hour is over. A right
code never resets the count: a guesser who found one keeps their limits.

With 99-bit codes, 30 guesses an hour find nothing; the limit keeps the
endpoint from being a free oracle and the database from being a target.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from inquiry.models import VerifyThrottle


@dataclass(frozen=True)
class Gate:
    """What /verify/ asks of this client now."""

    captcha: bool
    blocked: bool
    # Seconds until the window ends (for Retry-After when blocked).
    retry_after: int


def _key(ip: str | None) -> str:
    # A digest, not the address: the table needs to tell clients apart, not name them.
    return "verify:" + hashlib.sha256((ip or "unknown").encode()).hexdigest()[:40]


def _window() -> timedelta:
    return timedelta(minutes=settings.INQUIRY_VERIFY_WINDOW_MINUTES)


def verify_gate(*, ip: str | None) -> Gate:
    """Whether this client must solve a captcha or is shut out for now."""
    row = VerifyThrottle.objects.filter(key=_key(ip)).values_list("window_started_at", "failures").first()
    now = timezone.now()
    if row is None or row[0] + _window() <= now:
        return Gate(captcha=False, blocked=False, retry_after=0)
    started, failures = row
    retry_after = max(1, math.ceil((started + _window() - now).total_seconds()))
    return Gate(
        captcha=failures >= settings.INQUIRY_VERIFY_FREE_FAILURES,
        blocked=failures >= settings.INQUIRY_VERIFY_MAX_FAILURES,
        retry_after=retry_after,
    )


def verify_failure_add(*, ip: str | None) -> None:
    """Count one wrong code for this client (a new window when the last one ended)."""
    key, now = _key(ip), timezone.now()
    for _ in range(2):
        try:
            with transaction.atomic():
                row = VerifyThrottle.objects.select_for_update().filter(key=key).first()
                if row is None:
                    VerifyThrottle.objects.create(key=key, window_started_at=now, failures=1)
                elif row.window_started_at + _window() <= now:
                    row.window_started_at, row.failures = now, 1
                    row.save(update_fields=["window_started_at", "failures"])
                else:
                    row.failures += 1
                    row.save(update_fields=["failures"])
            return
        except IntegrityError:
            # Another worker created the row between our look and our insert: count on it.
            continue


def verify_throttles_prune() -> int:
    """Delete windows that have ended (run daily); returns how many."""
    deleted, _ = VerifyThrottle.objects.filter(window_started_at__lte=timezone.now() - _window()).delete()
    return deleted
