"""Deployment checks of the SMS settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_BACKENDS = ("accounts.sms.ConsoleBackend", "accounts.sms.FileBackend", "accounts.sms.LocmemBackend")


@register(Tags.security, deploy=True)
def sms_backend_check(app_configs, **kwargs):
    """Local backends write codes where staff or logs can read them; the gateway needs its URL and key."""
    if settings.DEBUG:
        return []
    if settings.SMS_BACKEND in LOCAL_BACKENDS:
        return [
            Warning(
                f"SMS_BACKEND is {settings.SMS_BACKEND} while DEBUG is off: codes never reach members.",
                hint="Use accounts.sms.GatewayBackend in production.",
                id="accounts.W001",
            )
        ]
    if settings.SMS_BACKEND == "accounts.sms.GatewayBackend" and not (
        settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_KEY
    ):
        return [Warning("SMS_GATEWAY_URL or SMS_GATEWAY_KEY is not set.", id="accounts.W002")]
    return []
