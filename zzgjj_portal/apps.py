from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "zzgjj_portal"
    verbose_name = "网上服务大厅"

    def ready(self) -> None:
        # Registers the deployment checks with Django's check framework.
        from zzgjj_portal import checks  # noqa: F401
        from zzgjj_portal.naming import model_names_in_chinese, permissions_name_in_chinese

        model_names_in_chinese(self.apps)
        # Connected after django.contrib.auth's create_permissions (auth is
        # earlier in INSTALLED_APPS), so it renames what that just made.
        post_migrate.connect(permissions_name_in_chinese, dispatch_uid="zzgjj_portal_permission_names")
