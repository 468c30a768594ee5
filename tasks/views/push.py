"""The push API: other channels of the center put messages in a member's portal.

A plain Django view with a form rather than django-ninja: it is one endpoint,
the project's validation already lives in Django forms and the identity
helpers, and a framework would add pydantic, its own auth and routing layer
for a single route. The OpenAPI document is hand-written
(tasks/openapi/messages.json), served as is, and a test keeps its fields and
answers in step with this view and PushForm.

The endpoint needs no session and no CSRF token (a machine posts with a
bearer token, never a browser with cookies). The token is checked here only:
no authentication backend or middleware knows it, so it opens nothing else.
"""

import json
import math
from http import HTTPStatus
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tasks import selectors, services
from tasks.forms.push import PushForm
from tasks.services.push import IdempotencyKeyReused
from zzgjj_portal.net import client_ip

OPENAPI_PATH = Path(__file__).resolve().parent.parent / "openapi" / "messages.json"

ERROR_UNAUTHORIZED = "缺少有效的渠道令牌(Authorization: Bearer <token>)。"
ERROR_RATE = "推送过于频繁,请稍后重试。"
ERROR_CONTENT_TYPE = "请求内容类型应为 application/json。"
ERROR_JSON = "请求内容不是有效的 JSON 对象。"
ERROR_FIELDS = "请求字段有误,详见 fields。"
ERROR_IP_LOCKED = "无效令牌尝试过多,请{minutes}分钟后重试。"
ERROR_KEY_REUSED = "该幂等键已用于另一条消息,新消息请使用新的幂等键。"


def _bearer(request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _error(status: HTTPStatus, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status, json_dumps_params={"ensure_ascii": False})


@login_not_required
@csrf_exempt
@never_cache
@require_POST
def message_push(request):
    """POST /api/messages/: 201 {"id"} for a new message, 200 {"id"} for a repeated
    idempotency_key of the same channel and message, 400 with field errors,
    401, 409 for a key used for another message, 429."""
    ip = client_ip(request)
    # A locked address is refused before its token is looked at, so the
    # answer does not tell a valid token from an invalid one.
    locked = services.push_token_lock(ip=ip)
    if locked is not None:
        minutes = max(1, math.ceil(locked.total_seconds() / 60))
        response = _error(HTTPStatus.TOO_MANY_REQUESTS, ERROR_IP_LOCKED.format(minutes=minutes))
        response["Retry-After"] = str(math.ceil(locked.total_seconds()))
        return response
    token = selectors.channel_token_authenticate(_bearer(request))
    if token is None:
        services.push_token_failure_record(ip=ip, request=request)
        response = _error(HTTPStatus.UNAUTHORIZED, ERROR_UNAUTHORIZED)
        response["WWW-Authenticate"] = 'Bearer realm="messages"'
        return response
    # Counted before validation: bad requests cost the channel its quota too.
    if not services.push_rate_take(channel=token.channel, rate=settings.TASKS_PUSH_RATE_PER_SECOND):
        response = _error(HTTPStatus.TOO_MANY_REQUESTS, ERROR_RATE)
        response["Retry-After"] = "1"
        return response
    if request.content_type != "application/json":
        return _error(HTTPStatus.BAD_REQUEST, ERROR_CONTENT_TYPE, fields={})
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: arrays or objects nested thousands deep.
        payload = None
    if not isinstance(payload, dict):
        return _error(HTTPStatus.BAD_REQUEST, ERROR_JSON, fields={})
    form = PushForm(payload)
    if not form.is_valid():
        fields = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        return _error(HTTPStatus.BAD_REQUEST, ERROR_FIELDS, fields=fields)
    data = form.cleaned_data
    try:
        message, created = services.message_push(
            channel=token.channel,
            member=data["id_number"],
            business=data["business"],
            content=data["content"],
            sent_at=data["sent_at"],
            idempotency_key=data["idempotency_key"],
        )
    except IdempotencyKeyReused:
        return _error(HTTPStatus.CONFLICT, ERROR_KEY_REUSED, fields={"idempotency_key": [ERROR_KEY_REUSED]})
    return JsonResponse({"id": message.pk}, status=HTTPStatus.CREATED if created else HTTPStatus.OK)


@login_not_required
@require_GET
def openapi_document(request):
    """The OpenAPI 3 description of the push API, for the channels that integrate with it."""
    return HttpResponse(OPENAPI_PATH.read_bytes(), content_type="application/json")
