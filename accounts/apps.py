from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与安全"

    def ready(self) -> None:
        # Connects the login/logout audit receivers and the deployment checks.
        from accounts import checks, signals  # noqa: F401
