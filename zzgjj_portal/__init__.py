# The Celery app is loaded with Django so that `@shared_task` jobs bind to it
# (and its settings) in web workers as well as in `celery worker`.
from zzgjj_portal.celery import app as celery_app

__all__ = ["celery_app"]
