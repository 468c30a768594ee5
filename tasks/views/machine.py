"""The door of the machine endpoints (/api/, assembled in tasks/api.py): one
django-ninja API whose every endpoint gets the same token check, rate limit,
JSON parsing and error answers.

- Auth: `Authorization: Bearer <token>`, a ChannelToken of the endpoint's kind
  (push or core). The order is that of the push API before ninja: a locked
  client IP is refused before its token is looked at (no oracle), an invalid,
  revoked or other-kind token gets the same 401 and counts against the IP,
  and the rate is taken before the body is validated (bad requests cost
  quota too). No session, no CSRF token: no authentication backend or
  middleware knows these tokens, so they open nothing else, and a browser's
  session opens none of these endpoints.
- Errors: `{"error": <Chinese>, "fields": {<field>: [<Chinese>, ...]}}`
  with 400 for any bad input (never 422, never 500), as the push API always answered.
"""

import json
import math
from functools import partial
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, RawPostDataException
from django.shortcuts import redirect
from django.urls import URLPattern
from django.views.decorators.cache import never_cache
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from tasks import selectors, services
from tasks.models import ChannelToken
from tasks.schemas.common import ERROR_MESSAGES, ERROR_OTHER, INVALID
from zzgjj_portal.net import client_ip

ERROR_UNAUTHORIZED = "缺少有效的渠道令牌(Authorization: Bearer <token>)。"
ERROR_RATE = "请求过于频繁,请稍后重试。"
ERROR_CONTENT_TYPE = "请求内容类型应为 application/json。"
ERROR_JSON = "请求内容不是有效的 JSON 对象。"
ERROR_TOO_BIG = "请求内容过大。"
ERROR_FIELDS = "请求字段有误,详见 fields。"
ERROR_IP_LOCKED = "无效令牌尝试过多,请{minutes}分钟后重试。"
ERROR_NOT_FOUND = "没有这个接口。"
ERROR_ITEM = "第{number}项:{message}"


class BodyRefused(Exception):
    """The body as a whole is not a JSON object we read (400, no field to name)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TokenRefused(Exception):
    """No valid token of the endpoint's kind (401)."""

    def __init__(self, realm: str):
        super().__init__(realm)
        self.realm = realm


class TokenLocked(Exception):
    """The client IP tried too many invalid tokens (429 until the lock lifts)."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


class RateLimited(Exception):
    """The token's bucket is empty (429)."""


class ChannelTokenAuth(HttpBearer):
    """The channel token of one kind, with the IP lock and the rate limit."""

    kind: str
    realm: str

    def rate(self) -> float:
        raise NotImplementedError

    def __call__(self, request: HttpRequest) -> ChannelToken:
        ip = client_ip(request)
        locked = services.api_token_lock(ip=ip)
        if locked is not None:
            raise TokenLocked(locked.total_seconds())
        token = selectors.channel_token_authenticate(bearer_token(request), kind=self.kind)
        if token is None:
            services.api_token_failure_record(ip=ip, request=request)
            raise TokenRefused(self.realm)
        if not services.api_rate_take(bucket=services.rate_bucket_key(token), rate=self.rate()):
            raise RateLimited()
        return token

    def authenticate(self, request: HttpRequest, token: str) -> ChannelToken | None:  # pragma: no cover
        # Not used: __call__ reads the header itself (HttpBearer's would log
        # an unexpected header, token and all, under DEBUG).
        raise NotImplementedError


class PushToken(ChannelTokenAuth):
    openapi_description = (
        "A channel's push token (ChannelToken of kind push): `Authorization: Bearer <token>`. "
        "Created by staff in admin (渠道令牌) or with `manage.py channel_token_create <channel>`; "
        "only its SHA-256 is stored. It opens POST /api/messages/ only."
    )
    kind = ChannelToken.Kind.PUSH
    realm = "messages"

    def rate(self) -> float:
        return settings.TASKS_PUSH_RATE_PER_SECOND


class CoreToken(ChannelTokenAuth):
    openapi_description = (
        "The core business system's token (ChannelToken of kind core): `Authorization: Bearer <token>`. "
        "Created by staff in admin (渠道令牌, 用途 业务系统) or with `manage.py channel_token_create core`; "
        "only its SHA-256 is stored. It opens /api/core/... only."
    )
    kind = ChannelToken.Kind.CORE
    realm = "core"

    def rate(self) -> float:
        return settings.TASKS_CORE_RATE_PER_SECOND


def bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class JSONParser(Parser):
    """A body is read only as `application/json` (any charset parameter) and
    only as one JSON object."""

    def parse_body(self, request: HttpRequest) -> dict:
        if request.content_type != "application/json":
            raise BodyRefused(ERROR_CONTENT_TYPE)
        try:
            payload = json.loads(request.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            # RecursionError: arrays or objects nested thousands deep.
            payload = None
        if not isinstance(payload, dict):
            raise BodyRefused(ERROR_JSON)
        return payload


class ChineseJSONRenderer(JSONRenderer):
    # The messages are read by people at the other end: UTF-8, not \\u escapes.
    json_dumps_params = {"ensure_ascii": False}


def _field_errors(errors: list[dict]) -> tuple[dict[str, list[str]], bool]:
    """pydantic's errors as {field: [Chinese message]}, and whether the body as
    a whole was refused (empty, or not an object)."""
    fields: dict[str, list[str]] = {}
    body_refused = False
    for error in errors:
        loc = list(error["loc"])
        source = loc.pop(0)
        if source == "body":
            loc.pop(0)  # the view's parameter that holds the body
            if not loc:
                body_refused = True
                continue
        name, item = str(loc[0]), loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
        if error["type"] == INVALID:
            message = error["msg"]
        else:
            try:
                message = ERROR_MESSAGES.get(error["type"], ERROR_OTHER).format(**error.get("ctx", {}))
            except (KeyError, IndexError):
                message = ERROR_OTHER
        if item is not None:
            message = ERROR_ITEM.format(number=item + 1, message=message)
        fields.setdefault(name, []).append(message)
    return fields, body_refused


class MachineAPI(NinjaAPI):
    """NinjaAPI with the portal's answers: Chinese errors in one shape, 400
    for every bad input, no cache, and its URLs open without a login (the
    token is the login)."""

    def error(self, request: HttpRequest, status: int, message: str, **extra) -> HttpResponse:
        return self.create_response(request, {"error": message, **extra}, status=status)

    def set_default_exception_handlers(self) -> None:
        super().set_default_exception_handlers()
        handlers = {
            TokenLocked: self._locked,
            TokenRefused: self._unauthorized,
            AuthenticationError: self._unauthorized,
            RateLimited: self._rate_limited,
            ValidationError: self._invalid,
            HttpError: self._http_error,
            BodyRefused: self._body_refused,
            # request.body beyond DATA_UPLOAD_MAX_MEMORY_SIZE.
            RequestDataTooBig: lambda request, exc: self.error(request, 400, ERROR_TOO_BIG, fields={}),
            # A multipart body, already read as a form by a middleware: not JSON.
            RawPostDataException: lambda request, exc: self.error(request, 400, ERROR_CONTENT_TYPE, fields={}),
            Http404: lambda request, exc: self.error(request, 404, ERROR_NOT_FOUND),
        }
        for exc_class, handler in handlers.items():
            self.add_exception_handler(exc_class, handler)

    def _locked(self, request: HttpRequest, exc: TokenLocked) -> HttpResponse:
        minutes = max(1, math.ceil(exc.seconds / 60))
        response = self.error(request, HTTPStatus.TOO_MANY_REQUESTS, ERROR_IP_LOCKED.format(minutes=minutes))
        response["Retry-After"] = str(math.ceil(exc.seconds))
        return response

    def _unauthorized(self, request: HttpRequest, exc: Exception) -> HttpResponse:
        response = self.error(request, HTTPStatus.UNAUTHORIZED, ERROR_UNAUTHORIZED)
        response["WWW-Authenticate"] = f'Bearer realm="{getattr(exc, "realm", "api")}"'
        return response

    def _rate_limited(self, request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = self.error(request, HTTPStatus.TOO_MANY_REQUESTS, ERROR_RATE)
        response["Retry-After"] = "1"
        return response

    def _body_refused(self, request: HttpRequest, exc: BodyRefused) -> HttpResponse:
        return self.error(request, HTTPStatus.BAD_REQUEST, exc.message, fields={})

    def _http_error(self, request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja wraps what the parser raised ("Cannot parse request body").
        if isinstance(exc.__cause__, BodyRefused):
            return self._body_refused(request, exc.__cause__)
        if isinstance(exc.__cause__, RequestDataTooBig):
            return self.error(request, HTTPStatus.BAD_REQUEST, ERROR_TOO_BIG, fields={})
        return self.error(request, exc.status_code, ERROR_JSON if exc.status_code == 400 else str(exc))

    def _invalid(self, request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields, body_refused = _field_errors(exc.errors)
        if body_refused and not fields:
            return self.error(request, HTTPStatus.BAD_REQUEST, ERROR_JSON, fields={})
        return self.error(request, HTTPStatus.BAD_REQUEST, ERROR_FIELDS, fields=fields)

    def _get_urls(self):
        urls = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern):
                view = pattern.callback
                if pattern.name == "api-root":
                    # ninja's root only raises 404 (it needs the URL to know its prefix):
                    # send whoever opens /api/ to the document instead.
                    view = partial(_to_document, namespace=self.urls_namespace)
                view = login_not_required(never_cache(view))
                pattern = URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)
            urls.append(pattern)
        return urls


def _to_document(request: HttpRequest, namespace: str, **kwargs) -> HttpResponse:
    return redirect(f"{namespace}:openapi-json")
