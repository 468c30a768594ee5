from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django_otp.plugins.otp_totp import apps as totp_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与安全"

    def ready(self) -> None:
        # Connects the login/logout audit receivers and the deployment checks.
        from accounts import checks, signals  # noqa: F401


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the staff site (login with captcha, lockout
    and TOTP) as `admin.site`."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "accounts.admin_site.StaffAdminSite"


class StaffTotpConfig(totp_apps.DefaultConfig):
    """django-otp's TOTP devices, named in Chinese in admin."""

    default = False
    verbose_name = "工作人员动态口令"
