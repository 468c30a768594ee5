from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zzgjj_portal"
    verbose_name = "网上服务大厅"

    def ready(self) -> None:
        # Registers the deployment checks with Django's check framework, and
        # connects the request-id and metrics receivers (Celery and model signals).
        from zzgjj_portal import checks, logs, metrics  # noqa: F401
