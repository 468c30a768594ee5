"""`make bench`: load-test the portal on the scale data and write bench/RESULTS.md.

1. Builds (or reuses: seed_scale is resumable) the 100,000-member set and the
   small comparison set (about 20,000 ledger rows) in their own databases.
2. Starts gunicorn with the production settings plus bench/settings.py (the
   floor URL, captcha test mode), configured by deploy/gunicorn.conf.py: a page
   pool and a print pool, as nginx routes them in production.
3. Logs in several members over HTTP, then drives each endpoint with wrk
   (bench/journey.lua) at the same concurrency, the floor first.
4. Prints two members printing continuously while the home page is loaded.
5. Runs the member pages on the small set and reports the latency ratio.
6. Profiles a fresh home page and a 30-year ledger page in-process
   (bench/profile_page.py): where a fresh page's CPU goes.
7. The deposit day (bench/depday.py): every member's data version raised by
   a daily delta, then many members' first views (--skip-depday leaves it
   out; --depday-only runs only that).
8. Certificates (bench/certificates.py): 缴存证明 issued and downloaded on the
   prints pool, /verify/ against the anonymous floor, the 30-year 缴存明细
   (--skip-certificates leaves it out; --certificates-only runs only that).
9. Charts (bench/charts.py): the 30-year ledger page rendered afresh with
   INQUIRY_CHARTS on and off, in-process CPU (--skip-charts leaves it out;
   --charts-only runs only that).
10. Imports the core system's books (bench/imports.py): the full scale batch
   into a fresh database, then a daily delta while the home page is loaded
   (--skip-imports leaves it out; --imports-only runs only that).

Only loopback addresses are used. Figures are from this run on this machine.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
WORK = ROOT / "var" / "bench"
PG = "postgres://postgres@127.0.0.1:5432/"
TODAY = date.today()
LEDGER_12M = "/ledger/"
LEDGER_30Y = f"/ledger/?start={TODAY.replace(year=TODAY.year - 30).isoformat()}&end={TODAY.isoformat()}"
# name, path, which members (all / long ledgers), connections (None = the common concurrency), is a page
ENDPOINTS = [
    ("floor (logged in)", "/bench/floor/", "all", None, False),
    ("home", "/home/", "all", None, True),
    ("个人基本信息", "/info/", "all", None, True),
    ("缴存支取信息 12 months", LEDGER_12M, "all", None, True),
    ("缴存支取信息 30 years", LEDGER_30Y, "long", None, True),
    ("贷款进度", "/loans/progress/", "all", None, True),
    ("贷款信息", "/loans/info/", "all", None, True),
    ("还款明细", "/loans/repayments/", "all", None, True),
    ("还款计划 (full plan)", "/loans/plan/", "all", None, True),
    ("plan Excel", "/loans/plan/?format=xlsx", "all", None, False),
    ("30-year ledger Excel", LEDGER_30Y + "&format=xlsx", "long", None, False),
    ("plan PDF, 2 at a time (cold)", "COLD_PRINT", "all", 2, False),
]
# Every request a different end date: a plan version never printed before, so
# each PDF is rendered (the cache would otherwise answer all but the first).
COLD_PRINT = "/loans/plan/print/?end=%RANDEND%"
ENDPOINTS = [(n, COLD_PRINT if p == "COLD_PRINT" else p, *rest) for n, p, *rest in ENDPOINTS]
FLOOR = "floor (logged in)"
TARGETS = {
    "page_share": 0.40,
    "page_p95_ms": 50,
    "long_p95_ms": 100,
    "excel_p95_ms": 150,
    "scale_ratio": 1.3,
    "repeat_print_ms": 100,
    "home_p99_printing_ms": 150,
    # With sync workers a page reaches page_share of the floor's requests/s
    # only if its CPU is at most 1 / page_share (2.5×) the floor's.
    "cpu_ratio": 2.5,
    # The deposit day (bench/depday.py): every view after the import a first view.
    "depday_share": 0.40,
    "depday_p95_ms": 50,
    # Certificates (issue 19, bench/certificates.py).
    "certificate_issue_p95_ms": 1000,
    "certificate_download_p95_ms": 50,
    "verify_share": 0.40,
    "ledger_certificate_s": 3.0,
    # Charts (bench/charts.py): the 30-year ledger page's CPU with them ≤ this × without.
    "charts_ratio": 1.2,
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def env_for(db: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=PG + db,
        DEBUG="false",
        SECRET_KEY="bench-only-secret-not-for-production-0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(db: str, *args: str) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env_for(db), check=True, capture_output=True, text=True
    )
    return result.stdout


def ensure_data(db: str, members: int) -> str:
    """Create the database if needed, migrate, and seed (resumable, so a
    second run only checks)."""
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
            log(f"creating database {db}")
            conn.execute(f'CREATE DATABASE "{db}"')
    manage(db, "migrate", "--noinput", "-v0")
    manage(db, "createcachetable")
    log(f"seed_scale --members {members} on {db} (reused when already loaded)")
    started = time.monotonic()
    # The batch is kept and shared with bench/imports.py's full import (same members, same date).
    out = manage(db, "seed_scale", "--members", str(members), "--batch-dir", str(WORK / "batches"))
    log(out.strip().replace("\n", " | ") + f" [{time.monotonic() - started:.0f} s]")
    return out


def script_json(db: str, script: str, *args: str):
    """Run one of the bench's helper scripts against `db`; what it printed, as JSON."""
    out = subprocess.run(
        [PY, script, *args],
        cwd=ROOT,
        env=env_for(db, PYTHONWARNINGS="ignore"),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def data_size(db: str) -> dict:
    import psycopg

    counts = {}
    with psycopg.connect(PG + db) as conn:
        for table in ("inquiry_member", "inquiry_ledgerentry", "inquiry_loancontract", "inquiry_repayment"):
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    return counts


class Server:
    """The two gunicorn pools of deploy/gunicorn.conf.py on loopback ports."""

    def __init__(self, db: str, port: int, extra_env: dict | None = None):
        self.db, self.port, self.procs, self.extra_env = db, port, [], extra_env or {}

    def __enter__(self):
        for pool, port in (("pages", self.port), ("prints", self.port + 1)):
            env = env_for(self.db, GUNICORN_POOL=pool, GUNICORN_BIND=f"127.0.0.1:{port}", **self.extra_env)
            logfile = open(WORK / f"gunicorn-{pool}.log", "a")  # noqa: SIM115
            self.procs.append(
                subprocess.Popen(
                    [GUNICORN, "-c", "deploy/gunicorn.conf.py"],
                    cwd=ROOT,
                    env=env,
                    stdout=logfile,
                    stderr=subprocess.STDOUT,
                )
            )
        try:
            for port in (self.port, self.port + 1):
                wait_ready(f"http://127.0.0.1:{port}/")
        except BaseException:
            # __exit__ does not run when __enter__ fails: stop the pools here,
            # or the next run finds its ports taken.
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            proc.wait(timeout=40)


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except (urllib.error.URLError, OSError):
            # Refused while binding, or a first answer slower than the timeout
            # (a worker loading the app on a busy machine): ask again.
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not start; see {WORK}/gunicorn-*.log")


def login(base: str, id_number: str, password: str, forwarded_for: str | None = None) -> str:
    """Log in through the real login form; returns the browser's Cookie header
    (the session and the CSRF cookie, as a browser sends them on every page).
    `forwarded_for`: the member's own address, as nginx passes it on (the
    server must trust loopback as its proxy: TRUSTED_PROXIES), so that many
    logins are not one client asking for captchas (capped per address)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    if forwarded_for:
        opener.addheaders.append(("X-Forwarded-For", forwarded_for))
    page = opener.open(base + "/").read().decode()
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|captcha_0)" value="([^"]+)"', page))
    data = urllib.parse.urlencode(
        {**fields, "identifier": id_number, "password": password, "captcha_1": "PASSED"}
    ).encode()
    opener.open(urllib.request.Request(base + "/", data=data, headers={"Referer": base + "/"}))
    for handler in opener.handlers:
        if isinstance(handler, urllib.request.HTTPCookieProcessor):
            cookies = {cookie.name: cookie.value for cookie in handler.cookiejar}
            if "sessionid" in cookies:
                return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))
    raise SystemExit(f"login failed for {id_number[:6]}…")


def wrk(base: str, path: str, sessions: Path, connections: int, seconds: int) -> dict:
    cmd = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "journey.lua"),
        base + path,
        "--",
        str(sessions),
        path,
    ]
    return parse_wrk(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def parse_wrk(out: str) -> dict:
    """The figures of wrk's output: the JSON line our scripts' done() writes
    (latencies in microseconds) as req/s, ms and errors. Every answer that is
    not a 200 is an error, and so is every socket error. Answers a script
    counts as `padded` (bench/depday.lua) are not requests of the run."""
    line = next(line for line in out.splitlines() if line.startswith("JSON "))
    raw = json.loads(line[5:])
    seconds_run = raw["duration_us"] / 1e6
    errors = raw["not_ok"] + raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    requests = raw["requests"] - raw.get("padded", 0)
    return {
        "rps": requests / seconds_run,
        "p50": raw["p50"] / 1000,
        "p95": raw["p95"] / 1000,
        "p99": raw["p99"] / 1000,
        "errors": errors,
        "requests": requests,
        "padded": raw.get("padded", 0),
        "seconds": seconds_run,
    }


def measure(base, print_base, path, sessions, connections, seconds, warmup):
    target = print_base if "/print/" in path else base
    if warmup:
        wrk(target, path, sessions, connections, warmup)
    return wrk(target, path, sessions, connections, seconds)


def run_set(db, port, members_json, args, endpoints, label, extra_env=None):
    log(f"{label}: starting gunicorn on 127.0.0.1:{port} (pages) and :{port + 1} (prints)")
    results = {}
    with Server(db, port, extra_env):
        base, print_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
        chosen = members_json["members"]
        all_sessions = [login(base, m["id_number"], members_json["password"]) for m in chosen]
        long_sessions = [s for s, m in zip(all_sessions, chosen, strict=True) if m["opened_on"] < "2000-01-01"]
        files = {"all": WORK / f"sessions-{db}.txt", "long": WORK / f"sessions-{db}-long.txt"}
        files["all"].write_text("\n".join(all_sessions) + "\n")
        files["long"].write_text("\n".join(long_sessions or all_sessions) + "\n")
        args.logged_in = len(all_sessions)
        log(f"{label}: {len(all_sessions)} members logged in ({len(long_sessions)} with 30-year ledgers)")
        for name, path, who, conns, _ in endpoints:
            result = measure(base, print_base, path, files[who], conns or args.connections, args.seconds, args.warmup)
            results[name] = result
            log(
                f"{label}: {name:24} {result['rps']:8.1f} req/s  p50 {result['p50']:7.1f}  p95 {result['p95']:7.1f}  "
                f"p99 {result['p99']:7.1f} ms  errors {result['errors']}"
            )
        if label == "scale" and (not args.only or "print" in args.only):
            # The same plans again and again: each member's plan is printed once
            # first (a cold render), then every repeat should come from the cache.
            for session in all_sessions:
                request = urllib.request.Request(print_base + "/loans/plan/print/")
                request.add_header("Cookie", session)
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
            results["_repeat_print"] = wrk(print_base, "/loans/plan/print/", files["all"], 1, args.seconds)
            log(f"{label}: repeat print p50 {results['_repeat_print']['p50']:.1f} ms")
            # Paired with the next measurement: the home page alone, just before.
            results["_home_alone"] = wrk(base, "/home/", files["all"], args.connections, args.seconds)
            # Two members print without pause while the home page is loaded.
            printers = subprocess.Popen(
                [
                    "wrk",
                    "-t2",
                    "-c2",
                    f"-d{args.seconds + 2}s",
                    "-s",
                    str(ROOT / "bench" / "journey.lua"),
                    print_base + COLD_PRINT,
                    "--",
                    str(files["all"]),
                    COLD_PRINT,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            time.sleep(1)
            results["_home_while_printing"] = wrk(base, "/home/", files["all"], args.connections, args.seconds)
            printers.communicate()
            log(
                f"{label}: home p99 alone {results['_home_alone']['p99']:.1f} ms, "
                f"while two members print {results['_home_while_printing']['p99']:.1f} ms"
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--small-members", type=int, default=90, help="about 20,000 ledger rows")
    parser.add_argument("--db", default="zzgjj_scale")
    parser.add_argument("--small-db", default="zzgjj_scale_small")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--only", help="quick look: only endpoints whose name contains this (no report)")
    parser.add_argument("--skip-imports", action="store_true", help="leave out the import section")
    parser.add_argument("--imports-only", action="store_true", help="only the import section (bench/imports.py)")
    parser.add_argument("--skip-depday", action="store_true", help="leave out the deposit day (bench/depday.py)")
    parser.add_argument("--depday-only", action="store_true", help="only the deposit day (bench/depday.py)")
    parser.add_argument("--skip-charts", action="store_true", help="leave out the charts section (bench/charts.py)")
    parser.add_argument("--charts-only", action="store_true", help="only the charts section (bench/charts.py)")
    parser.add_argument("--depday-members", type=int, default=2000, help="members who log in on the deposit day")
    parser.add_argument(
        "--depday-bump",
        choices=("import", "update"),
        default="import",
        help="raise the versions by importing a daily delta into a copy of --db (default), or by an UPDATE on --db",
    )
    parser.add_argument("--depday-db", help="the copy the deposit day imports into (default: <--db>_depday)")
    from bench import certificates, imports

    imports.add_arguments(parser)
    certificates.add_arguments(parser)
    args = parser.parse_args()
    if args.imports_only:
        run_imports(args)
        return
    if args.depday_only:
        WORK.mkdir(parents=True, exist_ok=True)
        collectstatic(args.db)
        run_depday(args)
        return
    if args.charts_only:
        WORK.mkdir(parents=True, exist_ok=True)
        collectstatic(args.db)
        ensure_data(args.db, args.members)
        run_charts(args)
        return
    if args.certificates_only:
        WORK.mkdir(parents=True, exist_ok=True)
        collectstatic(args.db)
        run_certificates(args)
        return
    # Other work on a shared machine shows in every figure: say how busy it was.
    args.load_start = f"{os.getloadavg()[0]:.1f}"
    WORK.mkdir(parents=True, exist_ok=True)
    collectstatic(args.db)
    seed_out = ensure_data(args.db, args.members)
    ensure_data(args.small_db, args.small_members)
    sizes = {args.db: data_size(args.db), args.small_db: data_size(args.small_db)}
    chosen = script_json(args.db, "bench/members.py", "8")
    if args.only:
        picked = [e for e in ENDPOINTS if e[0] == FLOOR or args.only in e[0]]
        run_set(args.db, args.port, chosen, args, picked, "scale")
        return
    scale = run_set(args.db, args.port, chosen, args, ENDPOINTS, "scale")

    def cpu_table(db: str) -> dict:
        paths = json.dumps([(e[0], e[1]) for e in ENDPOINTS if "/print/" not in e[1]])
        return script_json(db, "bench/cpu_table.py", paths)

    # Both data sets back to back, one request at a time: the 20M/20k latency
    # ratio without the queueing and the minutes between the two wrk runs.
    # Two rounds each, interleaved, keeping each figure's best: a burst of the
    # neighbours' load during one measurement then does not decide the ratio.
    rounds = [(cpu_table(args.db), cpu_table(args.small_db)) for _ in range(2)]
    cpu = rounds[0][0]
    for name, row in cpu.items():
        for key in ("cpu_ms", "cold_cpu_ms", "wall_ms"):
            row[key] = min(big[name][key] for big, _ in rounds)
        row["wall_small_ms"] = min(small[name]["wall_ms"] for _, small in rounds)
    # The same pages rendered afresh on every request (page cache off): what
    # first views and views after a posting cost, and where the data size
    # shows. Both data sets, so the 20M/20k ratio compares renders, not hits.
    pages = [e for e in ENDPOINTS if e[4] or e[1] == "/bench/floor/"]
    no_page_cache = {"PAGE_CACHE_SECONDS": "0"}
    renders = pages + [e for e in ENDPOINTS if "Excel" in e[0]]
    cold = run_set(args.db, args.port + 20, chosen, args, renders, "scale, rendered afresh", no_page_cache)
    small = run_set(args.small_db, args.port + 10, chosen, args, pages, "small, rendered afresh", no_page_cache)
    profile = profile_fresh(args.db)
    from bench.report import write_report

    text = write_report(args, scale, cold, small, sizes, seed_out, ENDPOINTS, TARGETS, cpu, profile)
    Path(args.output).write_text(text)
    print(text)
    failed = []
    for skip, name, section in (
        (args.skip_depday, "deposit day", run_depday),
        (args.skip_certificates, "certificates", run_certificates),
        (args.skip_charts, "charts", run_charts),
    ):
        if skip:
            continue
        try:
            section(args)
        except (Exception, SystemExit) as error:  # noqa: BLE001 - the rest still runs; the exit code says it
            failed.append(f"{name} failed: {error}")
            log(f"{name} failed: {type(error).__name__}: {error}")
    if not args.skip_imports:
        run_imports(args)
    if failed:
        raise SystemExit("; ".join(failed))


def collectstatic(db: str) -> None:
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env_for(db), check=True)


# The pages whose fresh render is profiled for RESULTS.md.
PROFILED = [("home", "/home/"), ("缴存支取信息 30 years", LEDGER_30Y)]


def profile_fresh(db: str, repeats: int = 30) -> dict | None:
    """Where a fresh page's time goes (bench/profile_page.py, in-process,
    the 30-year member, page cache off): by page name. None when it fails:
    the report is written without it rather than lost."""
    result = subprocess.run(
        [PY, "bench/profile_page.py", "--json", "--repeats", str(repeats), *(path for _, path in PROFILED)],
        cwd=ROOT,
        env=env_for(db, PAGE_CACHE_SECONDS="0", PYTHONWARNINGS="ignore"),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        log(f"profile of the fresh pages failed, left out of the report:\n{result.stderr[-2000:]}")
        return None
    by_path = json.loads(result.stdout)
    return {name: by_path[path] for name, path in PROFILED}


def run_depday(args) -> None:
    """The deposit day (bench/depday.py): its section of the report and its
    lines in the targets section."""
    from bench import depday
    from bench.report import write_block

    figures = depday.run(args)
    (WORK / "depday.json").write_text(json.dumps(figures, indent=2, default=str))
    output = Path(args.output)
    text = depday.section(figures, TARGETS)
    write_block(output, depday.SECTION_START, depday.SECTION_END, text)
    write_block(output, depday.TARGETS_START, depday.TARGETS_END, depday.targets_block(figures, TARGETS), append=False)
    print(text)


def run_certificates(args) -> None:
    """The certificates section (bench/certificates.py) and its lines in the targets section."""
    from bench import certificates

    figures = certificates.run(args)
    (WORK / "certificates.json").write_text(json.dumps(figures, indent=2, default=str))
    print(certificates.write(figures, TARGETS, Path(args.output)))


def run_charts(args) -> None:
    """The charts section (bench/charts.py): the 30-year ledger page with and without them."""
    from bench import charts
    from bench.report import write_block

    figures = charts.run(args)
    (WORK / "charts.json").write_text(json.dumps(figures, indent=2))
    text = charts.section(figures, TARGETS)
    write_block(Path(args.output), charts.SECTION_START, charts.SECTION_END, text)
    print(text)


def run_imports(args) -> None:
    """The import section (bench/imports.py), written into the same report."""
    from bench import imports

    args.as_of = (TODAY.replace(day=1) - timedelta(days=1)).isoformat()
    args.port += 40
    figures = imports.run(args)
    (WORK / "imports.json").write_text(json.dumps(figures, indent=2, default=str))
    imports.history_add(figures)
    text = imports.section(figures)
    imports.section_write(Path(args.output), text)
    print(text)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
