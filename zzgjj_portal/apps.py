import logging

from django.apps import AppConfig
from django.conf import settings

log = logging.getLogger("zzgjj_portal.jobs")


class PortalConfig(AppConfig):
    name = "zzgjj_portal"
    verbose_name = "网上服务大厅"

    def ready(self) -> None:
        # Registers the deployment checks with Django's check framework.
        from zzgjj_portal import checks  # noqa: F401

        if settings.CELERY_TASK_ALWAYS_EAGER:
            # Said once per process, so nobody mistakes `make run` for production.
            log.info("No CELERY_BROKER_URL: jobs run eagerly in the process that enqueues them (no worker)")
