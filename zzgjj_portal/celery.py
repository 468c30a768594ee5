"""The Celery application: work that must not run inside a web request.

Jobs live in each app's `jobs.py` (never `tasks.py`, which would be confused
with the `tasks` app) and are found with `related_name="jobs"`. Each job is a
thin, idempotent wrapper around a service, acknowledged late so that a worker
killed mid-job leaves it to another.

Without `CELERY_BROKER_URL` (the embedded `make run` default and the test
suite) jobs run eagerly in the process that enqueues them; settings log that
once at start-up.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzgjj_portal.settings")

app = Celery("zzgjj_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
