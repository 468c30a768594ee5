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

from accounts.models import User  # noqa: E402
from zzgjj_portal.management.commands import _scale_rows  # noqa: E402

paths = json.loads(sys.argv[1])
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 30
client = Client()
# Member 0: 30 years of deposits and a 30-year loan, the heaviest pages.
client.force_login(User.objects.get(member__id_number=_scale_rows.id_number(0)))
table = {}
executed = []


def count(execute, sql, params, many, context):
    executed.append(sql)
    return execute(sql, params, many, context)


for name, path in paths:
    client.get(path, HTTP_HOST="127.0.0.1")
    executed.clear()
    with connection.execute_wrapper(count):
        client.get(path, HTTP_HOST="127.0.0.1")
    queries = list(executed)
    started, wall = time.process_time(), time.perf_counter()
    for _ in range(repeats):
        client.get(path, HTTP_HOST="127.0.0.1")
    table[name] = {
        "cpu_ms": (time.process_time() - started) / repeats * 1000,
        # One request at a time, so no queueing: CPU plus waiting on PostgreSQL and Redis.
        "wall_ms": (time.perf_counter() - wall) / repeats * 1000,
        "queries": len(queries),
    }
print(json.dumps(table))
