from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zzgjj_portal"
    verbose_name = "网上服务大厅"

    def ready(self) -> None:
        # Registers the deployment checks with Django's check framework.
        from zzgjj_portal import checks  # noqa: F401
