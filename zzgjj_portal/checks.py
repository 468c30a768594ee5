"""Deployment checks specific to this portal (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def captcha_test_mode_check(app_configs, **kwargs):
    """Captcha test mode accepts "PASSED" for every captcha: never in production."""
    if settings.CAPTCHA_TEST_MODE and not settings.DEBUG:
        return [
            Warning(
                "CAPTCHA_TEST_MODE is on while DEBUG is off: every captcha accepts 'PASSED'.",
                hint="Unset CAPTCHA_TEST_MODE in production.",
                id="zzgjj.W001",
            )
        ]
    return []
