"""A token bucket (pure, no Django): `rate` requests a second on average, bursts up to `capacity`."""

from datetime import datetime


def bucket_take(
    *, tokens: float, refreshed_at: datetime, now: datetime, rate: float, capacity: float
) -> tuple[bool, float]:
    """Refill the bucket for the time since `refreshed_at`, then take one
    token if there is one. Returns (allowed, tokens left). A clock that went
    backwards refills nothing instead of draining the bucket."""
    elapsed = max(0.0, (now - refreshed_at).total_seconds())
    tokens = min(capacity, tokens + elapsed * rate)
    if tokens >= 1.0:
        return True, tokens - 1.0
    return False, tokens
