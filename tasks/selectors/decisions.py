"""Reads of the decisions outbox (发件箱) for the core system: what is offered
to it (the core API's GET and books_export), and a member's view of how an
application's decision was booked (我发起的).
"""

from inquiry.models import Member
from tasks.models.decisions import Decision


def decisions_offered(*, after: int, limit: int) -> list[Decision]:
    """Decisions the core has not acknowledged, with id greater than `after`,
    oldest first, at most `limit`. The id is the cursor: ids only grow, so a
    reader that passes the last id it saw gets the rest, and one that starts
    again at 0 gets every unacknowledged decision again (offered until acked)."""
    if limit <= 0:
        return []
    return list(Decision.objects.unacknowledged().filter(id__gt=after).order_by("id")[:limit])


def decisions_unknown(*, serial_nos: list[str]) -> list[str]:
    """The serials in `serial_nos` that name no decision (in the order given,
    without repeats): what an acknowledgement reports back as not ours."""
    wanted = list(dict.fromkeys(s.strip() for s in serial_nos if s and s.strip()))
    known: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        known.update(Decision.objects.filter(serial_no__in=chunk).values_list("serial_no", flat=True))
    return [s for s in wanted if s not in known]


def pending_loan_serial(*, member: Member) -> str | None:
    """The 业务流水号 of the member's approved loan decision still 待入账 (the
    core has not made its contract yet), None when there is none: a loan in
    all but contract, for the one-loan-at-a-time and no-销户 rules."""
    return (
        Decision.objects.pending()
        .filter(kind=Decision.Kind.LOAN, application__member=member)
        .values_list("serial_no", flat=True)
        .first()
    )


# Serials per IN (...): well under SQLite's host-parameter limit.
CHUNK = 500
