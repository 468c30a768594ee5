"""Project-wide guards: hostile input answered with a Chinese 400 page, the
Permissions-Policy header, and error answers that are never stored."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.db import DataError
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

log = logging.getLogger(__name__)

# Raised when a value typed into a URL or form reaches Python or the
# database out of range or of the wrong type: a year of 24 digits
# (OverflowError), text where an id belongs (ValueError, ValidationError),
# NUL or an overlong value (DataError).
BAD_INPUT_ERRORS = (OverflowError, ValueError, ValidationError, DataError)


# Where zzgjj_portal/urls.py mounts the machine endpoints: their callers read
# JSON, so the 400s made here answer them in the API's error shape.
API_PREFIX = "/api/"
API_BAD_CHARACTERS = "请求含有无效的字符。"
API_FIELD_BAD_CHARACTERS = "含有无效的字符。"
API_TOO_BIG = "请求内容过大。"
# Form bodies too large or with too many fields: Django raises these when the
# form is read (here, to look for NUL), before any view.
BODY_REFUSED = (RequestDataTooBig, TooManyFieldsSent)


def bad_request(request, field: str | None = None):
    if request.path.startswith(API_PREFIX):
        fields = {field: [API_FIELD_BAD_CHARACTERS]} if field else {}
        return JsonResponse(
            {"error": API_BAD_CHARACTERS, "fields": fields}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    return render(request, "400.html", status=400)


def _nul_field(request) -> str | None:
    """Where a NUL byte is: "" for the path, else the query or form field's name; None without one."""
    if "\x00" in request.path:
        return ""
    for query in (request.GET, request.POST):
        for key, values in query.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "")
    return None


class BadInputMiddleware:
    """Bad input never becomes a 500.

    - A NUL byte anywhere in the path, query or form is refused with 400
      before any view runs: PostgreSQL cannot store or compare it, and no
      legitimate form sends one. Under /api/ the answer is the machine
      endpoints' JSON error naming the field (and a form body too large for
      Django is refused there the same way, not with the HTML page).
    - In admin (generic Django code we do not write: filters, date
      hierarchy, search, autocomplete, raw-id and autocomplete widgets) an
      exception of the bad-input kind becomes the same 400 page. Admin's
      writes run in a transaction, so nothing is half-saved; the traceback
      is kept in the log as a warning, so a real bug stays visible.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            field = _nul_field(request)
        except BODY_REFUSED:
            if not request.path.startswith(API_PREFIX):
                raise  # Django's own 400 page
            return JsonResponse(
                {"error": API_TOO_BIG, "fields": {}}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        if field is not None:
            return bad_request(request, field)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BAD_INPUT_ERRORS) and request.path.startswith(reverse("admin:index")):
            log.warning("Bad input in admin: %s %s", request.method, request.path, exc_info=exception)
            return bad_request(request)
        return None


class SecurityHeadersMiddleware:
    """Headers Django's own middleware does not write, on every response:

    - `Permissions-Policy`: the portal never uses the camera, microphone,
      location or payment, so no page (or injected script) may ask for them.
    - Error answers (4xx, 5xx) are never stored: a 403 or 404 of a logged-in
      member names what they asked for, and a shared PC's browser or a proxy
      must not keep or replay it (pages set their own never_cache).

    It sits near the top of MIDDLEWARE, as do SecurityMiddleware,
    XFrameOptionsMiddleware and CSPMiddleware, so that answers made by the
    middleware below it (BadInputMiddleware's 400, a disallowed host, the
    CSRF failure, the 429 of a rate limit) get the same headers as pages."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        if response.status_code >= 400:
            add_never_cache_headers(response)
        return response
