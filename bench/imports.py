"""`make bench`'s import section: the core system's books through books_import.

1. Full batch: the 100,000-member scale set written once as one full batch
   (`seed_scale --write-only`, kept in var/bench/batches and reused while the
   as-of date is the same), imported into a fresh database (zzgjj_import)
   with `manage.py books_import`: time and rows/s.
2. Daily delta: for every account not closed, the month's 汇缴 (a GRMX row)
   and the account's new balance (its GRZHXX row), written from the database's
   own figures (bench/import_delta.py): about 200,000 rows. It is imported
   while wrk loads the home page of logged-in members; the home page's
   latency is measured alone first, then in 5-second windows for as long as
   the import runs (wrk reports one p99 per window: the worst window is the
   figure, an upper bound of the p99 over the whole import).

Run alone: `.venv/bin/python bench/imports.py` (rewrites the import section
of bench/RESULTS.md); bench/run.py runs it too unless --skip-imports.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import PG, PY, WORK, Server, env_for, log, login, manage, wrk  # noqa: E402

TARGETS = {"full_seconds": 600, "delta_seconds": 60, "home_p99_ms": 150}
SECTION_START = "<!-- imports: written by bench/imports.py -->"
SECTION_END = "<!-- /imports -->"
WINDOW_SECONDS = 5
SAMPLE_SECONDS = 2
# The import's connection names itself (libpq reads PGAPPNAME), so the sampler
# tells its statements from the pages' while wrk runs.
APP_NAME = "bench_books_import"
AFTER_LAST = "(none: after the import's last statement)"
BETWEEN = "(in a transaction, between statements: the import's Python work)"


class Sampler(threading.Thread):
    """Where an import's time goes, from the database's side: every
    SAMPLE_SECONDS the import connection's current statement (pg_stat_activity),
    by its first words. A COPY … FROM STDIN lasts as long as the client reads,
    checks and sends the rows; a COMMIT includes the deferred foreign-key checks."""

    def __init__(self, db: str):
        super().__init__(daemon=True)
        self.db, self.counts, self.done = db, Counter(), threading.Event()
        self.started = time.monotonic()
        self.timeline: list[tuple[float, str]] = []  # (seconds since start, statement)
        self.samples = self.page_lock_waits = 0

    def run(self) -> None:
        import psycopg

        with psycopg.connect(PG + self.db, autocommit=True) as conn:
            while not self.done.wait(SAMPLE_SECONDS):
                self.samples += 1
                for app, state, wait, query in conn.execute(
                    "SELECT application_name, state, wait_event_type, query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND state IN ('active', 'idle in transaction')"
                ).fetchall():
                    if app != APP_NAME:
                        # A page's query (gunicorn) caught waiting for a lock the import holds?
                        self.page_lock_waits += wait == "Lock"
                        continue
                    label = BETWEEN if state != "active" else " ".join(query.split()[:4])[:70]
                    self.counts[label] += 1
                    self.timeline.append((round(time.monotonic() - self.started, 1), label))

    def stop(self) -> list[tuple[str, float]]:
        self.done.set()
        self.join(timeout=10)
        return [(label, n * SAMPLE_SECONDS) for label, n in self.counts.most_common(12)]


def import_env(db: str) -> dict:
    return env_for(db, PGAPPNAME=APP_NAME, LOG_LEVEL="INFO")  # INFO: the engine logs its phases


def fresh_database(db: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    manage(db, "migrate", "--noinput", "-v0")
    manage(db, "createcachetable")


def last_run(db: str) -> dict:
    """The last import run's figures, from the database (the engine's own count)."""
    import psycopg

    with psycopg.connect(PG + db) as conn:
        row = conn.execute(
            "SELECT batch_no, status, rows_total, rows_applied, rows_rejected, members_changed, "
            "EXTRACT(EPOCH FROM finished_at - started_at) FROM inquiry_importrun ORDER BY id DESC LIMIT 1"
        ).fetchone()
    keys = ("batch_no", "status", "rows_total", "rows_applied", "rows_rejected", "members_changed", "engine_seconds")
    return dict(zip(keys, row, strict=True))


def books_import(db: str, folder: Path, label: str) -> dict:
    """Run `manage.py books_import` and time it from the outside."""
    log(f"{label}: books_import {folder}")
    sampler = Sampler(db)
    sampler.start()
    started = time.monotonic()
    result = subprocess.run(
        [PY, "manage.py", "books_import", str(folder)], cwd=ROOT, env=import_env(db), capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    profile = sampler.stop()
    # The progress bars hold each step's time: kept for reading where the time went.
    (WORK / f"import-{label}.log").write_text(result.stdout + result.stderr)
    if result.returncode:
        raise SystemExit(f"{label}: books_import failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    figures = last_run(db) | {"seconds": seconds, "profile": profile, "phases": phases(result.stderr)}
    log(f"{label}: {figures['rows_total']:,} rows in {seconds:.1f} s ({figures['rows_total'] / seconds:,.0f} rows/s)")
    return figures


def phases(log_text: str) -> str:
    """The engine's own phase timings, from its log line (before the commit)."""
    found = re.findall(r"members changed, [0-9.]+ s \(([^)]*)\)", log_text)
    return found[-1] if found else ""


def full_batch(members: int, as_of: str) -> Path:
    folder = WORK / "batches" / f"scale-{members}-{as_of.replace('-', '')}-full"
    if not (folder / "manifest.json").exists():
        log(f"writing the full batch of {members:,} members into {folder} (kept for the next run)")
        started = time.monotonic()
        out = subprocess.run(
            [PY, "manage.py", "seed_scale", "--members", str(members), "--as-of", as_of, "--write-only", str(folder)],
            cwd=ROOT,
            env=env_for("postgres"),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        log(out.strip().splitlines()[-1] + f" [{time.monotonic() - started:.0f} s]")
    return folder


def home_during(db: str, port: int, folder: Path, connections: int, seconds: int) -> dict:
    """The home page alone, then while the delta in `folder` imports."""
    with Server(db, port):
        base = f"http://127.0.0.1:{port}"
        chosen = json.loads(
            subprocess.run(
                [PY, "bench/members.py", "8"], cwd=ROOT, env=env_for(db), check=True, capture_output=True, text=True
            ).stdout
        )
        sessions = [login(base, m["id_number"], chosen["password"]) for m in chosen["members"]]
        if not sessions:
            raise SystemExit("no member to log in: bench/import_logins.py did not run?")
        file = WORK / f"sessions-{db}.txt"
        file.write_text("\n".join(sessions) + "\n")
        wrk(base, "/home/", file, connections, 2)  # warm-up: every page in the cache once
        alone = wrk(base, "/home/", file, connections, seconds)
        log(f"delta: home alone p50 {alone['p50']:.1f} ms, p99 {alone['p99']:.1f} ms")
        log(f"delta: books_import {folder} while wrk loads /home/")
        sampler = Sampler(db)
        sampler.start()
        started = time.monotonic()
        proc = subprocess.Popen(
            [PY, "manage.py", "books_import", str(folder)],
            cwd=ROOT,
            env=import_env(db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        windows = []
        while proc.poll() is None:
            at = round(time.monotonic() - started, 1)
            windows.append(wrk(base, "/home/", file, connections, WINDOW_SECONDS) | {"at": at})
        out, err = proc.communicate()
        seconds_import = time.monotonic() - started
        profile = sampler.stop()
        (WORK / "import-delta.log").write_text(out + err)
        # Which of the import's statements ran during the worst window of the home page.
        worst = max(windows, key=lambda w: w["p99"])
        during_worst = sorted(
            {
                label
                for t, label in sampler.timeline
                if worst["at"] - SAMPLE_SECONDS <= t <= worst["at"] + WINDOW_SECONDS
            }
        )
        if proc.returncode:
            raise SystemExit(f"delta: books_import failed:\n{out[-2000:]}\n{err[-4000:]}")
        after = wrk(base, "/home/", file, connections, seconds)
    figures = last_run(db) | {"seconds": seconds_import, "profile": profile, "phases": phases(err)}
    requests = sum(w["requests"] for w in windows)
    during = {
        "windows": len(windows),
        "requests": requests,
        "errors": sum(w["errors"] for w in windows),
        "p99_worst": max(w["p99"] for w in windows),
        "p99_median": sorted(w["p99"] for w in windows)[len(windows) // 2],
        "p50_worst": max(w["p50"] for w in windows),
        "rps": requests / (len(windows) * WINDOW_SECONDS),
        "worst_at": worst["at"],
        "worst_statements": during_worst
        or ["(after the import's last statement: its versions raised, pages re-rendered)"],
        "by_window": [(w["at"], w["p99"], w["requests"]) for w in windows],
        "page_lock_waits": sampler.page_lock_waits,
        "samples": sampler.samples,
        "timeline": sampler.timeline,
    }
    log(
        f"delta: {figures['rows_total']:,} rows in {seconds_import:.1f} s; home during it: worst window p99 "
        f"{during['p99_worst']:.1f} ms over {len(windows)} windows, errors {during['errors']}"
    )
    return {"delta": figures, "home_alone": alone, "home_during": during, "home_after": after}


def run(args) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    folder = full_batch(args.members, args.as_of)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env_for(args.import_db), check=True
    )
    if getattr(args, "delta_only", False):
        # Another delta on the database a previous run kept (--keep-db): the next month's.
        full = json.loads((WORK / "imports.json").read_text())["full"]
    else:
        log(f"fresh database {args.import_db}")
        fresh_database(args.import_db)
        full = books_import(args.import_db, folder, "full")
        # Logins for the members the bench logs in (the portal's own rows, not the core's).
        subprocess.run([PY, "bench/import_logins.py", args.as_of], cwd=ROOT, env=env_for(args.import_db), check=True)
    delta_folder = WORK / "batches" / "delta"
    subprocess.run(
        [PY, "bench/import_delta.py", str(delta_folder)],
        cwd=ROOT,
        env=env_for(args.import_db),
        check=True,
        capture_output=True,
        text=True,
    )
    delta = home_during(args.import_db, args.port, delta_folder, args.connections, args.seconds)
    if not args.keep_db:
        import psycopg

        with psycopg.connect(PG + "postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.import_db}" WITH (FORCE)')
    return {
        "full": full,
        **delta,
        "load": f"{load_start:.1f} / {os.getloadavg()[0]:.1f}",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "connections": args.connections,
    }


def lock_sentence(during: dict) -> str:
    if "page_lock_waits" not in during:
        return ""
    waits, samples = during["page_lock_waits"], during["samples"]
    if not waits:
        return f"No page query was seen waiting for a lock in the {samples} samples: what slows the pages is CPU."
    return f"Page queries were seen waiting for a lock {waits} times in {samples} samples."


HISTORY = WORK / "imports-history.jsonl"


def history_add(figures: dict) -> None:
    """One line per complete run on this machine: the report shows the last few,
    since the neighbours' load moves every figure from run to run."""
    engine = subprocess.run(
        ["git", "log", "-1", "--format=%h", "--", "inquiry/interchange/importing"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    entry = {
        "when": figures["when"],
        "engine": engine,
        "load": figures["load"],
        "full_s": round(figures["full"]["seconds"]),
        "delta_s": round(figures["delta"]["seconds"], 1),
        "home_alone_p99": round(figures["home_alone"]["p99"], 1),
        "home_p99_worst": round(figures["home_during"]["p99_worst"], 1),
        "home_p99_median": round(figures["home_during"]["p99_median"], 1),
    }
    with HISTORY.open("a") as file:
        file.write(json.dumps(entry) + "\n")


def history_lines() -> list[str]:
    if not HISTORY.exists():
        return []
    runs = [json.loads(line) for line in HISTORY.read_text().splitlines() if line.strip()][-6:]
    return [
        "The last complete runs on this machine (newest last): the same code measures differently as the "
        "other work on the two cores comes and goes; home alone is the page just before each delta.",
        "",
        "| run (UTC) | engine | load start / end | full s | delta s | home alone p99 | during: worst / median p99 |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
        *(
            f"| {r['when']} | {r['engine']} | {r['load']} | {r['full_s']} | {r['delta_s']} | {r['home_alone_p99']} | "
            f"{r['home_p99_worst']} / {r['home_p99_median']} |"
            for r in runs
        ),
        "",
    ]


def section(figures: dict) -> str:
    full, delta, during, alone = figures["full"], figures["delta"], figures["home_during"], figures["home_alone"]
    ok = {True: "met", False: "**missed**"}
    full_rate = full["rows_total"] / full["seconds"]
    lines = [
        SECTION_START,
        "## Import from the core system (`books_import`)",
        "",
        f"Run {figures['when']} by `bench/imports.py` on {os.cpu_count()} cores shared with other work "
        f"(load average at the start / end: {figures['load']}), PostgreSQL on loopback, a fresh database.",
        "",
        "| | rows | seconds | rows/s | target |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| full batch (100,000 members) | {full['rows_total']:,} | {full['seconds']:.0f} | {full_rate:,.0f} | "
        f"< {TARGETS['full_seconds']} s: {ok[full['seconds'] < TARGETS['full_seconds']]} |",
        f"| daily delta (汇缴 + account row for every open account) | {delta['rows_total']:,} | "
        f"{delta['seconds']:.1f} | {delta['rows_total'] / delta['seconds']:,.0f} | "
        f"< {TARGETS['delta_seconds']} s: {ok[delta['seconds'] < TARGETS['delta_seconds']]} |",
        "",
        f"Home page, {figures['connections']} connections over logged-in members: alone p50 {alone['p50']:.1f} ms, "
        f"p99 {alone['p99']:.1f} ms; while the delta imports ({during['windows']} windows of {WINDOW_SECONDS} s, "
        f"{during['requests']:,} requests, {during['rps']:.1f} req/s, errors {during['errors']}): worst window "
        f"p99 {during['p99_worst']:.1f} ms (median window p99 {during['p99_median']:.1f} ms); after it: p99 "
        f"{figures['home_after']['p99']:.1f} ms. Target p99 < {TARGETS['home_p99_ms']} ms: "
        f"{ok[during['p99_worst'] < TARGETS['home_p99_ms']]}. The worst window began {during['worst_at']:.0f} s "
        f"into the import, while it ran: " + ", ".join(f"`{s}`" for s in during["worst_statements"]) + ". "
        "Each window's p99 in ms: "
        + ", ".join(f"{p99:.0f}" for _, p99, _ in during["by_window"])
        + ". "
        + lock_sentence(during),
        "",
        f"Engine's own figures: full {full['rows_applied']:,} applied, {full['rows_rejected']:,} rejected, "
        f"{full['members_changed']:,} members changed, {float(full['engine_seconds']):.0f} s; delta "
        f"{delta['rows_applied']:,} applied, {delta['rows_rejected']:,} rejected, {delta['members_changed']:,} "
        f"members changed, {float(delta['engine_seconds']):.1f} s (the engine's clock stops before its commit).",
        "",
    ]
    for name, figures_ in (("full batch", full), ("daily delta", delta)):
        lines += [
            f"Where the {name}'s time went, sampled from the database every {SAMPLE_SECONDS} s "
            "(pg_stat_activity of the import's connection; a COPY … FROM STDIN lasts as long as the "
            "importer reads, checks and sends the rows; COMMIT includes the deferred foreign-key checks):",
            "",
            "| statement | seconds | share |",
            "| --- | ---: | ---: |",
        ]
        total = figures_["seconds"]
        lines += [f"| `{label}` | {sec:.0f} | {sec / total:.0%} |" for label, sec in figures_["profile"]]
        if figures_["phases"]:
            lines += ["", f"The engine's phases (its log line): {figures_['phases']}."]
        lines.append("")
    lines += history_lines()
    lines.append(SECTION_END)
    return "\n".join(lines) + "\n"


def section_write(path: Path, text: str) -> None:
    """Put the import section into RESULTS.md, replacing the previous one."""
    from bench.report import write_block

    write_block(path, SECTION_START, SECTION_END, text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--import-db", default="zzgjj_import", help="dropped and created again by every run")
    parser.add_argument("--keep-db", action="store_true", help="keep the import database afterwards")


def main() -> None:
    from datetime import date, timedelta

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    default_as_of = date.today().replace(day=1) - timedelta(days=1)
    parser.add_argument("--as-of", default=default_as_of.isoformat())
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument(
        "--delta-only", action="store_true", help="only a next delta on the database kept by --keep-db (no report)"
    )
    add_arguments(parser)
    args = parser.parse_args()
    figures = run(args)
    if args.delta_only:
        print(json.dumps({k: figures[k] for k in ("delta", "home_alone", "home_during")}, indent=2, default=str))
        return
    (WORK / "imports.json").write_text(json.dumps(figures, indent=2, default=str))
    history_add(figures)
    text = section(figures)
    section_write(Path(args.output), text)
    print(text)


if __name__ == "__main__":
    main()
