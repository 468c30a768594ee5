"""What the charts cost: the 30-year 缴存支取信息 page rendered afresh (page
cache off) with INQUIRY_CHARTS on and off, in-process, as CPU per request
(run by bench/run.py; `--charts-only` runs only this section).

As in bench/cpu_table.py, CPU time of this process, not wall-clock: a shared
machine's neighbours move wall-clock figures, not the CPU a request costs.
On and off alternate in rounds and each keeps its best round, so a burst of
load during one round does not decide the ratio. Target: on ≤ 1.2× off."""

import gc
import json
import os
import sys
import time

SECTION_START = "<!-- charts: written by bench/charts.py -->"
SECTION_END = "<!-- /charts -->"
ROUNDS = 3
REPEATS = 30


def measure(client, path: str, *, rounds: int = ROUNDS, repeats: int = REPEATS) -> dict:
    """CPU ms per fresh render of `path` with the charts on and off (the best
    of `rounds` rounds of `repeats` requests each), the queries of one render
    each way, and the ratio on / off."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    best = {True: float("inf"), False: float("inf")}
    queries, size = {}, {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for on in (True, False):
            with override_settings(INQUIRY_CHARTS=on):
                client.get(path, HTTP_HOST="127.0.0.1")  # warm: templates compiled, reads compiled
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path, HTTP_HOST="127.0.0.1")
                assert response.status_code == 200, response.status_code
                queries[on], size[on] = len(captured), len(response.content)
        for _ in range(rounds):
            for on in (True, False):
                with override_settings(INQUIRY_CHARTS=on):
                    started = time.process_time()
                    for _ in range(repeats):
                        client.get(path, HTTP_HOST="127.0.0.1")
                    best[on] = min(best[on], (time.process_time() - started) / repeats * 1000)
    return {
        "path": path,
        "rounds": rounds,
        "repeats": repeats,
        "on_cpu_ms": best[True],
        "off_cpu_ms": best[False],
        "ratio": best[True] / best[False],
        "queries_on": queries[True],
        "queries_off": queries[False],
        "bytes_on": size[True],
        "bytes_off": size[False],
    }


def section(figures: dict, targets: dict) -> str:
    """The report's charts section (Markdown, between its markers)."""
    target = targets["charts_ratio"]
    verdict = "met" if figures["ratio"] <= target else "**missed**"
    return "\n".join(
        [
            SECTION_START,
            "## Charts (INQUIRY_CHARTS)",
            "",
            "The 30-year 缴存支取信息 page (member 0) rendered afresh, in-process, CPU per request: "
            f"best of {figures['rounds']} rounds of {figures['repeats']} requests each way, on and off alternating.",
            "",
            "| page | charts on (ms CPU) | charts off (ms CPU) | ratio | target | queries on / off | bytes on / off |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| 缴存支取信息 30 years | {figures['on_cpu_ms']:.2f} | {figures['off_cpu_ms']:.2f} | "
            f"{figures['ratio']:.2f}× | ≤ {target}× ({verdict}) | {figures['queries_on']} / {figures['queries_off']} | "
            f"{figures['bytes_on']:,} / {figures['bytes_off']:,} |",
            "",
            SECTION_END,
            "",
        ]
    )


def run(args) -> dict:
    """This section against the bench database (`args.db`): the figures, from a child process."""
    from bench.run import LEDGER_30Y, script_json

    return script_json(args.db, "bench/charts.py", LEDGER_30Y)


def main() -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.test import Client

    from accounts.models import User
    from zzgjj_portal.management.commands import _scale_rows

    client = Client()
    client.force_login(User.objects.get(member__id_number=_scale_rows.id_number(0)))
    client.get(sys.argv[1], HTTP_HOST="127.0.0.1")
    # As a production worker (deploy/gunicorn.conf.py): what is loaded by now
    # lives as long as the process, out of the collector's reach; otherwise
    # each full collection scans it all and lands in whichever render it
    # interrupts, more often in the one that makes more objects.
    gc.freeze()
    # Member 0: 30 years of deposits, the heaviest ledger (as bench/cpu_table.py).
    client.force_login(User.objects.get(member__id_number=_scale_rows.id_number(0)))
    print(json.dumps(measure(client, sys.argv[1])))


if __name__ == "__main__":
    main()
