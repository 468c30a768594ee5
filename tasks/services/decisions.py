"""Writes of the decisions outbox (发件箱): the core system acknowledges what
it has received; settling (已入账 / 入账失败) follows in later steps.

Acknowledging is not booking: an acknowledged decision is no longer offered,
but it stays 待入账 until the core's own posting (or its refusal) comes back.
"""

import logging

from django.db import transaction
from django.utils import timezone

from tasks.models.decisions import Decision
from tasks.selectors.decisions import CHUNK, decisions_unknown

log = logging.getLogger(__name__)


@transaction.atomic
def decisions_acknowledge(*, serial_nos: list[str]) -> int:
    """The core has received the decisions with these 业务流水号: set their
    acked_at (only where empty: the first acknowledgement's time stays), so
    they are no longer offered. Returns how many were acknowledged now; an
    acknowledgement repeated is harmless (0), serials that name no decision
    are ignored and logged (decisions_unknown lists them for a reply)."""
    wanted = list(dict.fromkeys(s.strip() for s in serial_nos if s and s.strip()))
    now = timezone.now()
    acknowledged = 0
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        acknowledged += Decision.objects.filter(serial_no__in=chunk, acked_at__isnull=True).update(acked_at=now)
    unknown = decisions_unknown(serial_nos=wanted)
    if unknown:
        # Serials are the portal's own numbers, never personal data.
        log.warning("decisions ack: %s unknown serial(s), e.g. %s", len(unknown), ", ".join(unknown[:5]))
    return acknowledged
