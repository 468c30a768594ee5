"""Request ids and the log's lines.

Every request gets an id (nginx's `X-Request-ID` when our trusted proxy sends
one, else a new one), echoed in the response's `X-Request-ID` header and
written on every log line of the request and of the jobs it enqueues, so one
id finds a member's complaint in nginx's log, the portal's and the worker's.

Log lines carry the member's or staff member's primary key, never a name,
ID number, phone, code or token; `ScrubFilter` masks any ID number or phone
that a message or traceback quotes anyway.
"""

import contextvars
import logging
import re
import uuid
from datetime import UTC, datetime

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter

from zzgjj_portal.net import is_trusted_proxy
from zzgjj_portal.scrub import scrub_text

REQUEST_ID_HEADER = "X-Request-ID"
# Message headers a published job carries (read back by the worker).
JOB_REQUEST_ID_HEADER = "portal_request_id"
JOB_SENT_AT_HEADER = "portal_sent_at"
# What we accept from the proxy: nginx's $request_id is 32 hex digits; a
# longer or stranger value could be used to forge or flood log lines.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("portal_request_id", default="")
_request: contextvars.ContextVar = contextvars.ContextVar("portal_request", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request or job this code runs for ('' outside both)."""
    return _request_id.get()


class RequestIdMiddleware:
    """Gives the request its id (`request.request_id`), makes it the log's
    for the request's duration and echoes it in the response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        # Anyone can send the header: believed only from our own proxy.
        if incoming and _VALID_REQUEST_ID.match(incoming) and is_trusted_proxy(request):
            request_id = incoming
        else:
            request_id = new_request_id()
        request.request_id = request_id
        # Kept until the response is closed (request_finished below), not
        # reset on the way out: Django logs a 4xx/5xx response ("Not Found:")
        # after the middleware chain has returned.
        _request_id.set(request_id)
        _request.set(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="portal_logs_request_finished")
def _request_finished(sender=None, **kwargs):
    _request_id.set("")
    _request.set(None)


def _user_of(request):
    """The request's user if the authentication middleware already loaded it;
    a log line never triggers the session and user queries itself."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped
        if user is empty:
            return None
    return user if user is not None and getattr(user, "is_authenticated", False) else None


class ContextFilter(logging.Filter):
    """Adds `request_id`, `member_pk` and `staff_pk` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.member_pk = record.staff_pk = None
        request = _request.get()
        user = _user_of(request) if request is not None else None
        if user is not None:
            if user.is_staff:
                record.staff_pk = user.pk
            else:
                record.member_pk = getattr(user, "member_id", None)
        return True


class ScrubFilter(logging.Filter):
    """Masks ID numbers and phones in the message and the traceback, whoever
    logged them: the last line of defence before a line is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub_text(record.getMessage())
        record.args = None
        if record.exc_info:
            # Formatted once, here, so that the masked text is what handlers
            # print (both formatters below print exc_text when exc_info is gone).
            record.exc_text = scrub_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info)
        return True


class PortalJsonFormatter(JsonFormatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message,
    request id, member or staff pk when known, and the traceback if any."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_record: dict, record: logging.LogRecord, message_dict: dict) -> None:
        log_record["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        log_record["level"] = record.levelname
        log_record["logger"] = record.name
        log_record["message"] = record.getMessage()
        for field in ("request_id", "member_pk", "staff_pk"):
            value = getattr(record, field, None)
            if value:
                log_record[field] = value
        if record.exc_text:
            log_record["exc_info"] = record.exc_text
        if message_dict.get("exc_info"):
            log_record["exc_info"] = message_dict["exc_info"]


# --- The request id in the jobs a request enqueues ----------------------------


@before_task_publish.connect(dispatch_uid="portal_logs_publish")
def _job_headers(sender=None, headers=None, **kwargs):
    """Runs in the process that enqueues (web worker or beat): the job carries
    the request's id, and when it was sent (the heartbeat job reads it)."""
    if headers is None:
        return
    request_id = _request_id.get()
    if request_id:
        headers[JOB_REQUEST_ID_HEADER] = request_id
    headers.setdefault(JOB_SENT_AT_HEADER, timezone.now().isoformat())


_job_tokens: dict[str, contextvars.Token] = {}


@task_prerun.connect(dispatch_uid="portal_logs_prerun")
def _job_started(sender=None, task_id=None, task=None, **kwargs):
    """Runs in the worker: the job's log lines carry its request's id (a job
    beat started gets an id of its own). Eager jobs keep the caller's id."""
    request = getattr(task, "request", None)
    if request is None or getattr(request, "is_eager", False):
        return
    request_id = getattr(request, JOB_REQUEST_ID_HEADER, None) or ""
    if not _VALID_REQUEST_ID.match(request_id):
        request_id = new_request_id()
    _job_tokens[task_id] = _request_id.set(request_id)


@task_postrun.connect(dispatch_uid="portal_logs_postrun")
def _job_finished(sender=None, task_id=None, **kwargs):
    token = _job_tokens.pop(task_id, None)
    if token is not None:
        _request_id.reset(token)
