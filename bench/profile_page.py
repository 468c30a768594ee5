"""Profile one page in-process with pyinstrument, as a logged-in scale member.

    DATABASE_URL=postgres://…/zzgjj_scale .venv/bin/python bench/profile_page.py /ledger/ [repeats]

Runs with bench.settings (production settings, DEBUG off). Prints the
profile of `repeats` requests after one warm-up request, plus the number of
queries per request. This is how the speed work was chosen (see RESULTS.md).
"""

import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-not-for-production-0123456789abcdef")
os.environ.setdefault("DEBUG", "false")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from accounts.models import User  # noqa: E402
from zzgjj_portal.management.commands import _scale_rows  # noqa: E402

path = sys.argv[1] if len(sys.argv) > 1 else "/home/"
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 50
client = Client()
client.force_login(User.objects.get(member__id_number=_scale_rows.id_number(0)))
client.get(path, HTTP_HOST="127.0.0.1")
with CaptureQueriesContext(connection) as queries:
    response = client.get(path, HTTP_HOST="127.0.0.1")
print(f"{path}: status {response.status_code}, {len(queries)} queries")
for q in queries.captured_queries:
    print(f"  {q['time']}s {q['sql'][:160]}")
profiler = Profiler(interval=0.0005)
profiler.start()
for _ in range(repeats):
    client.get(path, HTTP_HOST="127.0.0.1")
profiler.stop()
print(profiler.output_text(unicode=True, color=False, show_all=False))
