"""POST /api/messages/: the center's other channels put messages in a
member's portal (with a push token; the door is tasks/views/machine.py)."""

from http import HTTPStatus

from ninja import Router
from ninja.responses import Status

from tasks import selectors, services
from tasks.schemas.common import ErrorOut
from tasks.schemas.push import ERROR_UNKNOWN_MEMBER, PushedOut, PushIn
from tasks.services.push import IdempotencyKeyReused
from tasks.views.machine import ERROR_FIELDS, PushToken

ERROR_KEY_REUSED = "该幂等键已用于另一条消息,新消息请使用新的幂等键。"

router = Router(auth=PushToken(), tags=["消息推送"])

RESPONSES = {
    201: "Created: the new message's id.",
    200: "This channel already used the idempotency_key for the same message (same id_number, business, "
    "content, and sent_at if given): the first message's id, nothing created.",
    400: "Bad input: wrong content type, bad JSON (including arrays or objects nested too deep, or a body "
    "over the size limit), or field errors (unknown or malformed ID number, empty or over-long fields, "
    "characters no database can store such as NUL or a lone surrogate \\udcff, sent_at not ISO 8601 or "
    "outside 2000-01-01 .. one day after now). Fields the schema does not know are ignored.",
    401: "No valid, unrevoked push token. Each such request counts against the client's IP address; after "
    "TASKS_PUSH_TOKEN_IP_FAILURES (default 20) within the lock period the address gets 429.",
    409: "This channel already used the idempotency_key for another message (different id_number, business, "
    "content or sent_at): nothing created; use a new key for a new message.",
    429: "The channel exceeded its rate (TASKS_PUSH_RATE_PER_SECOND, default 100 a second, shared by the "
    "channel's tokens), or the client's IP address sent too many invalid tokens and is locked for the lock "
    "period (15 minutes by default), whatever token it sends now; retry after the Retry-After seconds.",
}


@router.post(
    "/messages/",
    url_name="message_push",
    operation_id="pushMessage",
    summary="Push one message to a member (推送消息)",
    response={201: PushedOut, 200: PushedOut, 400: ErrorOut, 401: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    openapi_extra={"responses": {status: {"description": text} for status, text in RESPONSES.items()}},
)
def message_push(request, payload: PushIn):
    """A message for one member's 消息 list; the channel is the token's. Idempotent by idempotency_key."""
    member = selectors.member_by_id_number(payload.id_number)
    if member is None:
        return Status(HTTPStatus.BAD_REQUEST, {"error": ERROR_FIELDS, "fields": {"id_number": [ERROR_UNKNOWN_MEMBER]}})
    try:
        message, created = services.message_push(
            channel=request.auth.channel,
            member=member,
            business=payload.business,
            content=payload.content,
            sent_at=payload.sent_at,
            idempotency_key=payload.idempotency_key,
        )
    except IdempotencyKeyReused:
        return Status(
            HTTPStatus.CONFLICT, {"error": ERROR_KEY_REUSED, "fields": {"idempotency_key": [ERROR_KEY_REUSED]}}
        )
    return Status(HTTPStatus.CREATED if created else HTTPStatus.OK, {"id": message.pk})
