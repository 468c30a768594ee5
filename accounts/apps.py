from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django_otp.plugins.otp_totp import apps as totp_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与安全"

    def ready(self) -> None:
        # Connects the login/logout audit receivers, the records' signals' receivers
        # and the deployment checks.
        from accounts import checks, receivers, services, signals  # noqa: F401
        from zzgjj_portal import outbox

        # An SMS job holds its lease for at most two gateway waits: a second
        # delivery of the same code waits that long before it may try.
        outbox.register(
            services.SMS_KIND,
            services.sms_code_deliver,
            atomic=False,
            lease_seconds=2 * settings.SMS_GATEWAY_TIMEOUT + 10,
            scrub=("sealed",),
        )


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the staff site (login with captcha, lockout
    and TOTP) as `admin.site`."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "accounts.admin_site.StaffAdminSite"


class StaffTotpConfig(totp_apps.DefaultConfig):
    """django-otp's TOTP devices, named in Chinese in admin."""

    default = False
    verbose_name = "工作人员动态口令"
