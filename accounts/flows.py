"""Server-side progress of the two SMS-verified flows (注册, 忘记密码).

The progress lives in the (database) session: which member passed 信息校验,
which step comes next, and when it started. It expires after
ACCOUNTS_FLOW_MINUTES; a step whose predecessors were not passed in this
session cannot be reached by typing its URL.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from inquiry.models import Member

REGISTER = "register"
RESET = "reset"
SMS_STEP = "sms"
PASSWORD_STEP = "password"  # noqa: S105 - a step name


def _key(flow: str) -> str:
    return f"accounts_flow_{flow}"


@dataclass(frozen=True)
class Progress:
    member: Member | None
    expired: bool = False


def flow_start(request: HttpRequest, flow: str, member: Member) -> None:
    """Passing 信息校验 (again) starts the flow over for this member."""
    request.session[_key(flow)] = {"member": member.pk, "step": SMS_STEP, "started": timezone.now().isoformat()}


def flow_member(request: HttpRequest, flow: str, step: str) -> Progress:
    """The member whose flow is at `step`; `member` is None when the flow is
    not at that step, and `expired` says when it timed out (and is dropped)."""
    data = request.session.get(_key(flow))
    if not data:
        return Progress(None)
    started = datetime.fromisoformat(data["started"])
    if timezone.now() - started > timedelta(minutes=settings.ACCOUNTS_FLOW_MINUTES):
        flow_clear(request, flow)
        return Progress(None, expired=True)
    if data["step"] != step:
        return Progress(None)
    return Progress(Member.objects.select_related("fund_account").filter(pk=data["member"]).first())


def flow_advance(request: HttpRequest, flow: str, step: str) -> None:
    data = dict(request.session[_key(flow)])
    data["step"] = step
    request.session[_key(flow)] = data


def flow_clear(request: HttpRequest, flow: str) -> None:
    request.session.pop(_key(flow), None)
