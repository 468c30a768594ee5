"""CPU time and queries per request of each bench endpoint, in-process (run by bench/run.py).

Wall-clock figures on a shared 2-core machine swing with the neighbours'
load; the CPU a request costs this process, and how many queries it makes,
do not. They show where a page's time goes against the floor's."""

import json
import os
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from accounts.models import User  # noqa: E402
from zzgjj_portal.management.commands import _scale_rows  # noqa: E402

paths = json.loads(sys.argv[1])
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 30
client = Client()
# Member 0: 30 years of deposits and a 30-year loan, the heaviest pages.
client.force_login(User.objects.get(member__id_number=_scale_rows.id_number(0)))
table = {}
executed: list[str] = []


def count(execute, sql, params, many, context):
    executed.append(sql)
    return execute(sql, params, many, context)


def timed(path: str) -> tuple[float, float]:
    """(CPU ms, wall ms) per request over `repeats` requests, one at a time."""
    started, wall = time.process_time(), time.perf_counter()
    for _ in range(repeats):
        client.get(path, HTTP_HOST="127.0.0.1")
    return (time.process_time() - started) / repeats * 1000, (time.perf_counter() - wall) / repeats * 1000


for name, path in paths:
    # A page served from the page cache (the second view onwards: the first
    # of all also sets the browser's CSRF cookie) ...
    client.get(path, HTTP_HOST="127.0.0.1")
    client.get(path, HTTP_HOST="127.0.0.1")
    executed.clear()
    with connection.execute_wrapper(count):
        client.get(path, HTTP_HOST="127.0.0.1")
    cached_queries = len(executed)
    cpu_ms, wall_ms = timed(path)
    # ... and rendered afresh every time: what a first view, or a view after
    # any change to the member's data, costs. Data size shows only here.
    with override_settings(PAGE_CACHE_SECONDS=0):
        client.get(path, HTTP_HOST="127.0.0.1")
        executed.clear()
        with connection.execute_wrapper(count):
            client.get(path, HTTP_HOST="127.0.0.1")
        queries = len(executed)
        cold_cpu_ms, cold_wall_ms = timed(path)
    table[name] = {
        "cpu_ms": cpu_ms,
        "queries_cached": cached_queries,
        "cold_cpu_ms": cold_cpu_ms,
        # One request at a time, so no queueing: CPU plus waiting on PostgreSQL and Redis.
        "wall_ms": cold_wall_ms,
        "queries": queries,
    }
print(json.dumps(table))
