"""Error reports to Sentry, with the members' data kept out of them.

Called from settings only when SENTRY_DSN is set. No request body, cookie,
query string, header with a secret or user identity leaves the server; ID
numbers and phones quoted in a message or an exception are masked.
"""

from zzgjj_portal.scrub import scrub_text

# Headers that carry a session, a CSRF secret or an address.
_DROPPED_HEADERS = {"cookie", "authorization", "x-csrftoken", "x-forwarded-for", "x-real-ip"}


def _scrub_value(value):
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, list):
        return [_scrub_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_value(item) for key, item in value.items()}
    return value


def before_send(event: dict, hint: dict | None = None) -> dict:
    """Strip what may identify a member from an event before it is sent."""
    request = event.get("request")
    if isinstance(request, dict):
        for field in ("cookies", "data", "query_string", "env"):
            request.pop(field, None)
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value for name, value in headers.items() if name.lower() not in _DROPPED_HEADERS
            }
    # The user's pk is enough to find them in the audit trail; never more.
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for key in ("message", "logentry", "exception", "breadcrumbs", "extra"):
        if key in event:
            event[key] = _scrub_value(event[key])
    return event


def sentry_init(*, dsn: str, environment: str) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        # Local variables of a frame can hold an ID number or a code.
        include_local_variables=False,
        before_send=before_send,
        before_send_transaction=before_send,
        traces_sample_rate=0.0,
    )
