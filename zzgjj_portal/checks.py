"""Deployment checks specific to this portal (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


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


# A signing certificate this close to its end is renewed now: the CA takes days.
CERTIFICATE_SIGNER_RENEW_DAYS = 30


@register(Tags.security, deploy=True)
def certificate_signer_check(app_configs, **kwargs):
    """Every certificate PDF is signed with the center's certificate: without
    one that opens, no certificate can be issued (zzgjj_portal/signing.py)."""
    from datetime import timedelta

    from django.utils import timezone

    from zzgjj_portal.signing import SignerUnavailable, signer, signer_not_after

    hint = (
        "Set CERTIFICATE_SIGNER_P12 to the center's PKCS#12 file from its CA and CERTIFICATE_SIGNER_PASSPHRASE "
        "to its passphrase (README: Certificate signing)."
    )
    try:
        center = signer()
    except SignerUnavailable as exc:
        return [Error(str(exc), hint=hint, id="zzgjj.E001")]
    not_after = signer_not_after(center)
    if not_after <= timezone.now():
        return [Error(f"The signing certificate expired on {not_after:%Y-%m-%d}.", hint=hint, id="zzgjj.E002")]
    if not_after <= timezone.now() + timedelta(days=CERTIFICATE_SIGNER_RENEW_DAYS):
        return [
            Warning(
                f"The signing certificate expires on {not_after:%Y-%m-%d}.",
                hint="Renew it with the CA and replace the file (README: Certificate signing).",
                id="zzgjj.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def certificate_address_check(app_configs, **kwargs):
    """A certificate's QR code opens PORTAL_BASE_URL/verify/ and its 核验码 are
    stored under INQUIRY_CERTIFICATE_CODE_KEY (inquiry/certificates/)."""
    problems = []
    address = settings.PORTAL_BASE_URL
    if not address.startswith("https://"):
        problems.append(
            Error(
                f"PORTAL_BASE_URL is {address!r}: certificates would print a QR code that opens nowhere real.",
                hint="Set PORTAL_BASE_URL to the portal's public https address, e.g. https://gjj.zaozhuang.gov.cn.",
                id="zzgjj.E003",
            )
        )
    if not settings.INQUIRY_CERTIFICATE_CODE_KEY:
        problems.append(
            Warning(
                "INQUIRY_CERTIFICATE_CODE_KEY is empty: 核验码 are hashed under a key derived from SECRET_KEY, "
                "so rotating SECRET_KEY would make every issued certificate unverifiable.",
                hint="Set INQUIRY_CERTIFICATE_CODE_KEY to a long random string and keep it.",
                id="zzgjj.W003",
            )
        )
    return problems
