"""The shared cache: Redis, as a cache that never takes the portal down.

Everything the portal keeps in Redis can be had without it: sessions are
written through to the database (cached_db), rendered pages and PDFs are
rendered again. So a Redis that is stopped, unreachable or hung reads as a
miss and writes as nothing, instead of answering every logged-in request
with a 500:

- connection and read timeouts are short (CONNECT/READ_TIMEOUT_SECONDS), so
  a hung Redis costs a fraction of a second, not a worker;
- after a failure the process leaves Redis alone for RETRY_AFTER_SECONDS
  (misses at no cost), then tries again;
- one warning per WARN_EVERY_SECONDS per process says it is down and how
  many operations went without it;
- a key written or deleted while Redis was out of reach still holds its old
  value there: a logged-out session would come back when Redis does. Such
  keys are deleted first thing once Redis answers again (all keys, if there
  were more than MAX_PENDING_KEYS of them).

`cache_ok()` says whether the cache answers, for a readiness check.
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field

import redis
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 0.25
READ_TIMEOUT_SECONDS = 0.25
RETRY_AFTER_SECONDS = 5.0
WARN_EVERY_SECONDS = 60.0
MAX_PENDING_KEYS = 10_000


@dataclass
class _Health:
    """What one process knows of one Redis (shared by the per-thread backend
    instances Django makes, hence a module-level table and a lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    down_since: float | None = None
    retry_at: float = 0.0
    warned_at: float | None = None
    skipped: int = 0
    pending: set[str] = field(default_factory=set)  # full Redis keys, made with KEY_PREFIX and version
    overflowed: bool = False


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def reset_health() -> None:
    """Forget every outage (tests)."""
    with _health_lock:
        _health.clear()


class FailSafeRedisCache(RedisCache):
    """Django's RedisCache, where Redis errors (refused, timed out, out of
    memory ...) are misses and no-ops, with short socket timeouts. `incr` of
    a counter it cannot reach raises ValueError, as for a missing key."""

    def __init__(self, server, params):
        options = {
            "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "socket_timeout": READ_TIMEOUT_SECONDS,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        location = ",".join(self._servers)
        with _health_lock:
            self._health = _health.setdefault(location, _Health())

    # --- the guard every operation goes through

    def _call(self, operation, fallback, written=()):
        """`operation()`, or `fallback` when Redis is out of reach; `written`
        are the full keys the operation would have changed."""
        health = self._health
        now = time.monotonic()
        if health.down_since is not None and now < health.retry_at:
            self._missed(health, written, now, error=None)
            return fallback
        try:
            if health.pending or health.overflowed:
                self._forget_pending(health)
            result = operation()
        except redis.RedisError as error:
            self._missed(health, written, now, error=error)
            return fallback
        if health.down_since is not None:
            with health.lock:
                logger.warning(
                    "Redis cache answers again after %.0f s (%d operations went without it)",
                    now - health.down_since,
                    health.skipped,
                )
                health.down_since, health.warned_at, health.skipped = None, None, 0
        return result

    def _missed(self, health: _Health, written, now: float, error) -> None:
        with health.lock:
            if error is not None:
                if health.down_since is None:
                    health.down_since = now
                health.retry_at = now + RETRY_AFTER_SECONDS
            health.skipped += 1
            if not health.overflowed:
                health.pending.update(written)
                if len(health.pending) > MAX_PENDING_KEYS:
                    health.pending.clear()
                    health.overflowed = True
            if error is not None and (health.warned_at is None or now - health.warned_at >= WARN_EVERY_SECONDS):
                health.warned_at = now
                logger.warning(
                    "Redis cache out of reach (%s: %s): reads are misses and writes are skipped (%d operations so far)",
                    type(error).__name__,
                    error,
                    health.skipped,
                )

    def _forget_pending(self, health: _Health) -> None:
        """Delete what was written or deleted while Redis was out of reach
        (raises RedisError if it still is; the keys stay pending then)."""
        with health.lock:
            keys, overflowed = list(health.pending), health.overflowed
        if overflowed:
            super().clear()
        elif keys:
            self._cache.delete_many(keys)
        with health.lock:
            health.pending.difference_update(keys)
            if overflowed:
                health.overflowed = False
                health.pending.clear()

    # --- Django's cache API

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        full = self.make_and_validate_key(key, version=version)
        return self._call(lambda: super(FailSafeRedisCache, self).add(key, value, timeout, version), False, [full])

    def get(self, key, default=None, version=None):
        return self._call(lambda: super(FailSafeRedisCache, self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        full = self.make_and_validate_key(key, version=version)
        self._call(lambda: super(FailSafeRedisCache, self).set(key, value, timeout, version), None, [full])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: super(FailSafeRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        full = self.make_and_validate_key(key, version=version)
        return self._call(lambda: super(FailSafeRedisCache, self).delete(key, version), False, [full])

    def get_many(self, keys, version=None):
        return self._call(lambda: super(FailSafeRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._call(lambda: super(FailSafeRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        full = self.make_and_validate_key(key, version=version)
        missing = object()
        result = self._call(lambda: super(FailSafeRedisCache, self).incr(key, delta, version), missing, [full])
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is out of reach).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        written = [self.make_and_validate_key(key, version=version) for key in data]
        return self._call(lambda: super(FailSafeRedisCache, self).set_many(data, timeout, version), [], written)

    def delete_many(self, keys, version=None):
        written = [self.make_and_validate_key(key, version=version) for key in keys]
        self._call(lambda: super(FailSafeRedisCache, self).delete_many(keys, version), None, written)

    def clear(self):
        # Nothing to forget once everything is gone: a clear that cannot reach
        # Redis is owed as a whole.
        def clear_all():
            result = super(FailSafeRedisCache, self).clear()
            with self._health.lock:
                self._health.pending.clear()
                self._health.overflowed = False
            return result

        result = self._call(clear_all, False)
        if result is False:
            with self._health.lock:
                self._health.overflowed = True
        return result

    def ping(self) -> bool:
        """Whether Redis answers now (the pause after a failure does not apply)."""
        self._health.retry_at = 0.0
        return bool(self._call(lambda: self._cache.get_client(write=True).ping(), False))


def cache_ok() -> bool:
    """Whether the default cache answers: a value written can be read back.
    The portal works without it (slower); a readiness check reports it."""
    cache = caches["default"]
    if isinstance(cache, FailSafeRedisCache) and not cache.ping():
        return False
    key, value = f"cache-ok:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, 10)
        answered = cache.get(key) == value
        cache.delete(key)
    except Exception:  # any backend's failure means the same: not ready
        logger.warning("cache check failed", exc_info=True)
        return False
    return answered
