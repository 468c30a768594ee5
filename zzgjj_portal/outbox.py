"""The outbox: consequences written in the transaction that causes them.

A service that must make something happen after its commit (a message to the
member, an SMS, a broadcast's fan-out) calls `outbox_put` inside its
transaction. The row commits or rolls back with the change; after the commit a
job is enqueued to deliver it. Delivery is at least once and every handler is
idempotent, so nothing is lost to a process that dies between the commit and
the callback, a broker that is down, or a worker killed mid-job, and nothing
happens twice:

- *atomic* handlers (database writes) run inside the transaction that locks
  the row and stamps it done: their effect and the stamp commit together;
- other handlers (an SMS gateway, a long fan-out that commits in batches)
  lease the row first, so a second delivery waits until the lease ends or the
  broker says the first worker died (a redelivered message), and they are
  idempotent by themselves (a broadcast's unique message per member).

`outbox_relay` (celery beat, every 30 s) offers again whatever is pending and
due: items whose job was never enqueued, lost, or failed and backed off.

Each app registers its kinds in its AppConfig.ready (`register`), so this
module imports no app.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from zzgjj_portal.models import OutboxItem

log = logging.getLogger(__name__)

# Seconds an item must have waited before the relay offers it: its own job,
# enqueued on commit, gets the first go.
RELAY_GRACE_SECONDS = 10
RELAY_BATCH = 500
BACKOFF_MAX_SECONDS = 600


class RetryLater(Exception):
    """A handler could not finish now (a gateway down); try again after `seconds`."""

    def __init__(self, reason: str, *, seconds: int | None = None):
        super().__init__(reason)
        self.seconds = seconds


class GiveUp(Exception):
    """A handler will never succeed (an SMS code that expired): stamp the item
    done with the reason, no further tries."""


@dataclass(frozen=True)
class Handler:
    func: Callable[[dict, OutboxItem], None]
    atomic: bool
    lease: timedelta
    # Payload keys removed once the item is finished (a sealed SMS text).
    scrub: tuple[str, ...] = ()


_HANDLERS: dict[str, Handler] = {}


def register(
    kind: str,
    func: Callable[[dict, OutboxItem], None],
    *,
    atomic: bool = True,
    lease_seconds: float = 60,
    scrub: tuple[str, ...] = (),
) -> None:
    """Declare how items of `kind` are delivered (called from an AppConfig.ready)."""
    _HANDLERS[kind] = Handler(func=func, atomic=atomic, lease=timedelta(seconds=lease_seconds), scrub=scrub)


def outbox_put(*, kind: str, payload: dict) -> OutboxItem:
    """Record `kind` work in the caller's transaction and enqueue its delivery
    after the commit. Call it inside `transaction.atomic`."""
    if kind not in _HANDLERS:
        raise LookupError(f"no outbox handler for {kind!r}")
    now = timezone.now()  # the caller's clock (a field default would bind the function at import)
    item = OutboxItem.objects.create(kind=kind, payload=payload, created_at=now, next_try_at=now)
    transaction.on_commit(partial(enqueue, item.pk))
    return item


def enqueue(pk: int, *, countdown: float | None = None) -> bool:
    """Hand item `pk` to the queue. A broker that is down is not the caller's
    problem: the item stays pending and the relay offers it again."""
    from zzgjj_portal import jobs  # the job module imports this one

    try:
        jobs.outbox_deliver.apply_async(args=[pk], countdown=countdown)
    except Exception as exc:  # noqa: BLE001 - any broker fault leaves the item to the relay
        log.warning("outbox item %s not enqueued (%s: %s); the relay will offer it again", pk, type(exc).__name__, exc)
        return False
    return True


def backoff_seconds(attempts: int) -> int:
    """The wait before try `attempts` + 1: 10 s, doubling, at most 10 minutes."""
    return min(10 * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def _finish(item: OutboxItem, handler: Handler, *, error: str = "") -> None:
    payload = {k: v for k, v in item.payload.items() if k not in handler.scrub}
    OutboxItem.objects.filter(pk=item.pk).update(done_at=timezone.now(), last_error=error[:300], payload=payload)


def _failed(item: OutboxItem, exc: Exception) -> int:
    """Record a failed try; return the seconds until the next one."""
    seconds = getattr(exc, "seconds", None) or backoff_seconds(item.attempts)
    OutboxItem.objects.filter(pk=item.pk).update(
        next_try_at=timezone.now() + timedelta(seconds=seconds), last_error=f"{type(exc).__name__}: {exc}"[:300]
    )
    return seconds


def outbox_deliver(pk: int, *, redelivered: bool = False) -> str:
    """Deliver item `pk` once; returns what happened (for the job's log).

    `redelivered` is the broker's word that the worker which had this job died
    before acknowledging it: its lease is then taken over at once."""
    now = timezone.now()
    with transaction.atomic():
        item = OutboxItem.objects.select_for_update(skip_locked=True).filter(pk=pk, done_at__isnull=True).first()
        if item is None:
            return "done or busy"
        handler = _HANDLERS.get(item.kind)
        if handler is None:
            return f"no handler for {item.kind}"
        # Not yet due (backing off, or leased by a delivery under way); a
        # second early of slack for a countdown that fires a little early.
        if item.next_try_at > now + timedelta(seconds=1) and not redelivered:
            return "not due"
        item.attempts += 1
        if handler.atomic:
            # Counted outside the handler's savepoint: a failed try still counts.
            OutboxItem.objects.filter(pk=pk).update(attempts=F("attempts") + 1)
            try:
                with transaction.atomic():
                    handler.func(item.payload, item)
            except GiveUp as exc:
                _finish(item, handler, error=str(exc))
                return "given up"
            except Exception as exc:  # noqa: BLE001 - recorded and retried
                _retry(pk, _failed(item, exc))
                return "retry"
            _finish(item, handler)
            return "delivered"
        OutboxItem.objects.filter(pk=pk).update(attempts=F("attempts") + 1, next_try_at=now + handler.lease)
    try:
        handler.func(item.payload, item)
    except GiveUp as exc:
        _finish(item, handler, error=str(exc))
        return "given up"
    except Exception as exc:  # noqa: BLE001 - recorded and retried
        if not isinstance(exc, RetryLater):
            log.exception("outbox item %s (%s) failed", pk, item.kind)
        _retry(pk, _failed(item, exc))
        return "retry"
    _finish(item, handler)
    return "delivered"


def _retry(pk: int, seconds: int) -> None:
    # Eager jobs (no broker) would run again at once, not after `seconds`:
    # the item waits for the relay instead.
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(partial(enqueue, pk, countdown=seconds))


def outbox_lease_renew(item: OutboxItem) -> None:
    """A long handler (a fan-out in batches) keeps its lease while it works."""
    handler = _HANDLERS[item.kind]
    OutboxItem.objects.filter(pk=item.pk, done_at__isnull=True).update(next_try_at=timezone.now() + handler.lease)


def outbox_relay(*, limit: int = RELAY_BATCH) -> int:
    """Offer again the pending items that are due; returns how many."""
    now = timezone.now()
    pks = list(
        OutboxItem.objects.filter(
            done_at__isnull=True, next_try_at__lte=now, created_at__lte=now - timedelta(seconds=RELAY_GRACE_SECONDS)
        )
        .order_by("next_try_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pks:
        enqueue(pk)
    return len(pks)


def outbox_oldest_pending_age() -> float | None:
    """Seconds the oldest pending item has waited (None when nothing is pending)."""
    oldest = OutboxItem.objects.filter(done_at__isnull=True).aggregate(oldest=Min("created_at"))["oldest"]
    return None if oldest is None else (timezone.now() - oldest).total_seconds()
