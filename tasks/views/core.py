"""The core business system's outbox API (with a core token; the door is
tasks/views/machine.py): it reads the portal's decisions and acknowledges
the ones it has received.

GET /api/core/outbox/?after=<cursor>&limit=<n> offers the decisions not yet
acknowledged with id > after, oldest first; POST /api/core/outbox/ack/ takes
them off the offer. An item not acknowledged is offered again on the next
pass from after=0; acknowledging twice is harmless.
"""

from ninja import Query, Router
from ninja.errors import ValidationError

from tasks.schemas.common import ErrorOut
from tasks.schemas.core import MAX_CURSOR, PAGE_DEFAULT, PAGE_MAX, AckIn, AckOut, OutboxPage
from tasks.selectors.decisions import decisions_offered
from tasks.services.decisions import decisions_acknowledge
from tasks.views.machine import CoreToken

router = Router(auth=CoreToken(), tags=["业务系统发件箱"])

OUTBOX_QUERY = {"after", "limit"}

ERRORS = {
    400: "Bad input, with the field named: after or limit not an integer or out of range, a query parameter "
    "or body field the API does not know, a query parameter given twice, serial_nos empty, over 1,000 items "
    "or an item blank or over 32 characters (or holding NUL or a lone surrogate), wrong content type, not a "
    "JSON object, or a body over the size limit.",
    401: "No valid, unrevoked core token (a push token is refused the same way). Each such request counts "
    "against the client's IP address; after TASKS_PUSH_TOKEN_IP_FAILURES (default 20) the address gets 429.",
    429: "The token exceeded its rate (TASKS_CORE_RATE_PER_SECOND, default 20 a second, per core token), or "
    "the client's IP address is locked for trying invalid tokens; retry after the Retry-After seconds.",
}


def _query_checked(request, known: set[str]) -> None:
    """Refuse query parameters the endpoint does not declare, and declared
    ones given twice: ninja reads only the declared ones, and the last of
    repeated ones. An unknown one (say `cursor` for `after`) would silently
    read the outbox from the start; `after=5&after=0` would read from 0."""
    errors = [
        {"loc": ("query", name), "type": "extra_forbidden", "msg": ""} for name in sorted(set(request.GET) - known)
    ]
    errors += [
        {"loc": ("query", name), "type": "repeated", "msg": ""}
        for name in sorted(known)
        if len(request.GET.getlist(name)) > 1
    ]
    if errors:
        raise ValidationError(errors)


@router.get(
    "/outbox/",
    url_name="core_outbox",
    operation_id="coreOutbox",
    summary="Decisions not yet acknowledged (发件箱)",
    response={200: OutboxPage, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    openapi_extra={
        "responses": {
            200: {"description": "A page of decisions, oldest first, and the cursor of the next page."},
            **{status: {"description": text} for status, text in ERRORS.items()},
        }
    },
)
def core_outbox(
    request,
    after: int = Query(0, ge=0, le=MAX_CURSOR, description="Cursor: only decisions with id greater than this."),
    limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_MAX, description="At most this many decisions (1 to 1,000)."),
):
    """Decisions not acknowledged, id > after, at most limit; next is the last id when the page is full."""
    _query_checked(request, OUTBOX_QUERY)
    items = decisions_offered(after=after, limit=limit)
    return {"items": items, "next": items[-1].pk if len(items) == limit else None}


@router.post(
    "/outbox/ack/",
    url_name="core_outbox_ack",
    operation_id="coreOutboxAck",
    summary="Acknowledge received decisions (确认接收)",
    response={200: AckOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "Acknowledged: they are no longer offered. Repeating it is harmless "
                "(acknowledged counts only those acknowledged now); serial numbers of no decision are listed."
            },
            **{status: {"description": text} for status, text in ERRORS.items()},
        }
    },
)
def core_outbox_ack(request, payload: AckIn):
    """The core has received these decisions (it books them later; the booking comes back in an import)."""
    _query_checked(request, set())
    # One pass: the service finds the unknown serials it logs, the reply lists them.
    result = decisions_acknowledge(serial_nos=payload.serial_nos)
    return {"acknowledged": result.count, "unknown": result.unknown}
