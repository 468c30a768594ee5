"""Profile one page in-process with pyinstrument, as a logged-in scale member.

    DATABASE_URL=postgres://…/zzgjj_scale .venv/bin/python bench/profile_page.py /ledger/ [repeats]

Runs with bench.settings (production settings, DEBUG off). Prints the
profile of `repeats` requests after one warm-up request, plus the number of
queries per request. This is how the speed work was chosen (see RESULTS.md).

    … bench/profile_page.py --json [--repeats N] PATH [PATH …]

prints, as JSON, each page's time per request grouped by kind of work and
its heaviest functions (bench/profiling.py): bench/run.py runs it with
PAGE_CACHE_SECONDS=0 for RESULTS.md's "Where a fresh page's CPU goes".
"""

import json
import os
import sys

import django

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-not-for-production-0123456789abcdef")
os.environ.setdefault("DEBUG", "false")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.profiling import self_times, summarize  # noqa: E402
from zzgjj_portal.management.commands import _scale_rows  # noqa: E402

INTERVAL = 0.0005


def profiled(client: Client, path: str, repeats: int) -> tuple[Profiler, list]:
    """One warm-up request, one counting the queries, then `repeats` profiled."""
    client.get(path, HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST="127.0.0.1")
    if response.status_code != 200:
        raise SystemExit(f"{path}: status {response.status_code}")
    # Copied now: every request's start empties the connection's query log.
    captured = list(queries.captured_queries)
    profiler = Profiler(interval=INTERVAL)
    profiler.start()
    for _ in range(repeats):
        client.get(path, HTTP_HOST="127.0.0.1")
    profiler.stop()
    return profiler, captured


def main() -> None:
    args = sys.argv[1:]
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    repeats = 50
    if "--repeats" in args:
        at = args.index("--repeats")
        repeats = int(args[at + 1])
        del args[at : at + 2]
    elif len(args) == 2 and args[1].isdigit():
        repeats = int(args.pop())
    paths = args or ["/home/"]
    client = Client()
    # Member 0: 30 years of deposits and a 30-year loan, the heaviest pages.
    client.force_login(User.objects.get(member__id_number=_scale_rows.id_number(0)))
    out = {}
    for path in paths:
        profiler, queries = profiled(client, path, repeats)
        session = profiler.last_session
        if not as_json:
            print(f"{path}: {len(queries)} queries")
            for q in queries:
                print(f"  {q['time']}s {q['sql'][:160]}")
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            continue
        out[path] = {
            "requests": repeats,
            "queries": len(queries),
            "page_cache_seconds": settings.PAGE_CACHE_SECONDS,
            "wall_ms": session.duration * 1000 / repeats,
            "cpu_ms": session.cpu_time * 1000 / repeats,
            **summarize(self_times(session.root_frame()), ROOT, repeats),
        }
    if as_json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
