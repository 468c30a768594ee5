import logging

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate

log = logging.getLogger("zzgjj_portal.jobs")


class PortalConfig(AppConfig):
    name = "zzgjj_portal"
    verbose_name = "网上服务大厅"

    def ready(self) -> None:
        # Registers the deployment checks with Django's check framework, and
        # connects the request-id and metrics receivers (Celery and model signals).
        from zzgjj_portal import checks, logs, metrics  # noqa: F401

        if settings.CELERY_TASK_ALWAYS_EAGER:
            # Said once per process, so nobody mistakes `make run` for production.
            log.info("No CELERY_BROKER_URL: jobs run eagerly in the process that enqueues them (no worker)")

        from zzgjj_portal.naming import model_names_in_chinese, permissions_name_in_chinese

        model_names_in_chinese(self.apps)
        # Connected after django.contrib.auth's create_permissions (auth is
        # earlier in INSTALLED_APPS), so it renames what that just made.
        post_migrate.connect(permissions_name_in_chinese, dispatch_uid="zzgjj_portal_permission_names")
