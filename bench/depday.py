"""`make bench`'s deposit day: every member's data version raised at once,
then many members' first views.

When the core system's monthly deposits are imported, every member's data
version moves, and the page cache (zzgjj_portal/pagecache.py, keyed on it)
holds nothing any member can use: every member who looks that day gets pages
rendered afresh. The run, with the page cache on (production settings, Redis):

1. A copy of the bench database (`--depday-db`, dropped afterwards unless
   --keep-db), so the delta's postings stay out of the bench's data set.
2. `--depday-members` members with a login, spread over the whole set, log in
   over HTTP (the form, as bench/run.py does), each from its own address
   through the trusted proxy, as behind nginx (captchas are capped per address).
3. The day before: each views its pages once (home, 缴存支取信息, and 还款计划
   with an active loan); the pages are now in the cache.
4. The floor, with the same members' sessions.
5. The deposits arrive: a daily delta with a 汇缴 row for every open account
   (bench/import_delta.py) through `books_import`, or with `--depday-bump
   update` (or when the database cannot be copied) only
   `UPDATE inquiry_member SET data_version = data_version + 1`.
6. Every member checks whether the deposit arrived: its pages once, twice or
   three times (bench/depday.lua: each wrk thread walks its own members, each
   request once). The page-cache keys written in Redis during this step are
   the pages rendered; the other views were served from the cache.

Run alone: `bench/run.py --depday-only` (rewrites its section of RESULTS.md).
"""

import os
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.report import DEPDAY_TARGETS_END as TARGETS_END
from bench.report import DEPDAY_TARGETS_START as TARGETS_START
from bench.run import PG, PY, ROOT, WORK, Server, env_for, log, login, measure, parse_wrk, script_json

SECTION_START = "<!-- depday: written by bench/depday.py -->"
SECTION_END = "<!-- /depday -->"
HOME, LEDGER, PLAN = "/home/", "/ledger/", "/loans/plan/"
FLOOR_PATH = "/bench/floor/"
PAGE_NAMES = {HOME: "home", LEDGER: "缴存支取信息", PLAN: "还款计划"}
# Member i looks VIEWS[i % 3] times: once, or again to see whether it arrived.
VIEWS = (1, 2, 3)
# A connection's members go in groups of this many: a round of the group's
# pages before any member's next look, as a member looks again a while later.
GROUP = 16
# What a first view (a render) costs against a view from the cache, about
# (RESULTS.md's CPU table): members are shared out by it, so that every
# connection's list takes about as long.
RENDER_COST = 4
LOGINS_AT_ONCE = 4
KEY_PATTERN = "*member-page:*"
BARE_UPDATE = "UPDATE inquiry_member SET data_version = data_version + 1"


def member_paths(has_loan: bool) -> list[str]:
    return [HOME, LEDGER, PLAN] if has_loan else [HOME, LEDGER]


def views_of(index: int) -> int:
    return VIEWS[index % len(VIEWS)]


def forwarded_for(index: int) -> str:
    """A member's own address (10.0.0.1, 10.0.0.2, …): one per member."""
    n = index + 1
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def journey(members: list[dict], connections: int, repeat: bool = True) -> list[list[tuple[str, str]]]:
    """Each connection's requests, in order, as (Cookie header, path).
    `members`: dicts with `cookie`, `paths` and `views`. Each member goes to
    the connection with the least work so far (a render RENDER_COST, a view
    from the cache 1), so that all finish about together; a connection walks its members GROUP at a time: round r of a
    group is every page of its members with more than r views, page by page
    across the members. With repeat=False every member's pages once (the
    day before)."""
    mine: list[list[dict]] = [[] for _ in range(connections)]
    work = [0] * connections
    for member in members:
        least = work.index(min(work))
        mine[least].append(member)
        work[least] += len(member["paths"]) * (RENDER_COST + (member["views"] - 1 if repeat else 0))
    lists: list[list[tuple[str, str]]] = [[] for _ in range(connections)]
    for c in range(connections):
        for start in range(0, len(mine[c]), GROUP):
            group = mine[c][start : start + GROUP]
            rounds = max(m["views"] for m in group) if repeat else 1
            for round_ in range(rounds):
                for page in range(max(len(m["paths"]) for m in group)):
                    for m in group:
                        if round_ < m["views"] and page < len(m["paths"]):
                            lists[c].append((m["cookie"], m["paths"][page]))
    return lists


def journey_text(lists: list[list[tuple[str, str]]]) -> str:
    """The list file bench/depday.lua reads: connection (from 1), Cookie, path."""
    return "".join(f"{t}\t{cookie}\t{path}\n" for t, items in enumerate(lists, 1) for cookie, path in items)


def distinct_pages(lists: list[list[tuple[str, str]]]) -> int:
    return len({item for items in lists for item in items})


def run_list(base: str, lists: list[list[tuple[str, str]]], name: str) -> dict:
    """Send every request of `lists` once with wrk and bench/depday.lua, one
    wrk thread per connection; returns wrk's figures over the time the list took."""
    file = WORK / f"depday-{name}.txt"
    file.write_text(journey_text(lists))
    prefix = WORK / f"depday-{name}-done"
    markers = [Path(f"{prefix}.{c}") for c in range(1, len(lists) + 1)]
    for marker in markers:
        marker.unlink(missing_ok=True)
    total = sum(len(items) for items in lists)
    # A cap only: the run ends when every connection has its last answer (at
    # 5 requests/s at worst; a lost answer leaves its connection short till then).
    cap = 60 + total // 5
    # Where a connection goes when its list is done: the kernel completes the
    # connections (the backlog), nothing ever reads or answers them.
    with socket.socket() as park:
        park.bind(("127.0.0.1", 0))
        park.listen(len(lists) * 4)
        cmd = ["wrk", f"-t{len(lists)}", f"-c{len(lists)}", f"-d{cap}s", "--timeout", "10s"]
        cmd += ["-s", str(ROOT / "bench" / "depday.lua"), base + "/", "--", str(file), str(prefix)]
        cmd += [str(park.getsockname()[1]), FLOOR_PATH]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        complete = False
        while proc.poll() is None:
            if all(marker.exists() for marker in markers):
                # wrk sleeps for -d; SIGINT ends the sleep and it reports at once.
                complete = True
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    continue
            time.sleep(0.02)
        out, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"wrk failed on the deposit day's {name} list:\n{out}")
    return parse_wrk(out) | {"items": total, "complete": complete, "distinct": distinct_pages(lists)}


def page_keys(redis_url: str) -> set[bytes]:
    """The page cache's keys in Redis now (pagecache.KEY_PREFIX, under
    Django's key prefix)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        return set(client.scan_iter(match=KEY_PATTERN, count=1000))
    finally:
        client.close()


def copy_database(source: str, target: str) -> float:
    """`target` as a copy of `source` (files copied: quicker than through the WAL)."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY')
    return time.monotonic() - started


def drop_database(db: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def raise_versions(db: str, how: str) -> dict:
    """Move every member's data version: the import of a daily delta, or the bare UPDATE."""
    if how == "import":
        from bench import imports

        folder = WORK / "batches" / "depday-delta"
        out = subprocess.run(
            [PY, "bench/import_delta.py", str(folder)],
            cwd=ROOT,
            env=env_for(db),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        log("deposit day: " + out.strip())
        figures = imports.books_import(db, folder, "depday")
        return {
            "how": "import",
            "rows": figures["rows_total"],
            "members_changed": figures["members_changed"],
            "seconds": figures["seconds"],
        }
    import psycopg

    started = time.monotonic()
    with psycopg.connect(PG + db) as conn:
        changed = conn.execute(BARE_UPDATE).rowcount
    return {"how": "update", "rows": changed, "members_changed": changed, "seconds": time.monotonic() - started}


def chosen_members(db: str, wanted: int) -> dict:
    return script_json(db, "bench/depday_members.py", str(wanted))


def run(args) -> dict:
    import psycopg

    WORK.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    db, how, note = args.db, args.depday_bump, ""
    copy_seconds = None
    if how == "import":
        db = args.depday_db or f"{args.db}_depday"
        log(f"deposit day: copying {args.db} into {db}")
        try:
            copy_seconds = copy_database(args.db, db)
        except psycopg.Error as error:
            # Someone else connected to it, no room: measure without the import, and say so.
            note = f"{args.db} could not be copied ({type(error).__name__}: {' '.join(str(error).split())[:160]})"
            log(f"deposit day: {note}; raising the versions with UPDATE on {args.db} instead")
            db, how = args.db, "update"
    try:
        figures = day(args, db, how)
    finally:
        if db != args.db and not args.keep_db:
            drop_database(db)
    return figures | {
        "db": db,
        "source_db": args.db,
        "copy_seconds": copy_seconds,
        "note": note,
        "load": f"{load_start:.1f} / {os.getloadavg()[0]:.1f}",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def day(args, db: str, how: str) -> dict:
    chosen = chosen_members(db, args.depday_members)
    members = chosen["members"]
    if not members:
        raise SystemExit(f"deposit day: no member with a login in {db}")
    redis_url = env_for(db)["REDIS_URL"]
    port = args.port + 30
    # Loopback is the members' proxy here, as nginx is in production: each
    # login comes from the member's own address (X-Forwarded-For).
    with Server(db, port, {"TRUSTED_PROXIES": "127.0.0.1"}):
        base = f"http://127.0.0.1:{port}"
        log(f"deposit day: {len(members)} members log in, {LOGINS_AT_ONCE} at a time")
        started = time.monotonic()
        with ThreadPoolExecutor(LOGINS_AT_ONCE) as pool:
            cookies = list(
                pool.map(
                    lambda im: login(base, im[1]["id_number"], chosen["password"], forwarded_for(im[0])),
                    enumerate(members),
                )
            )
        logins = {"count": len(cookies), "seconds": time.monotonic() - started, "at_once": LOGINS_AT_ONCE}
        log(f"deposit day: {len(cookies)} logins in {logins['seconds']:.1f} s")
        walkers = [
            {"cookie": cookie, "paths": member_paths(m["has_loan"]), "views": views_of(i)}
            for i, (cookie, m) in enumerate(zip(cookies, members, strict=True))
        ]
        connections = min(args.connections, len(walkers))
        keys_start = page_keys(redis_url)
        before = run_list(base, journey(walkers, connections, repeat=False), "day-before")
        keys_warm = page_keys(redis_url)
        log(f"deposit day: the day before, {before['items']} views, {before['rps']:.1f} req/s")
        sessions = WORK / "sessions-depday.txt"
        sessions.write_text("\n".join(cookies) + "\n")
        floor = measure(base, base, FLOOR_PATH, sessions, connections, args.seconds, args.warmup)
        log(f"deposit day: floor {floor['rps']:.1f} req/s")
        log(f"deposit day: raising every member's data version ({how})")
        bump = raise_versions(db, how)
        log(f"deposit day: {bump['members_changed']:,} members' versions raised in {bump['seconds']:.1f} s")
        keys_before = page_keys(redis_url)
        views = run_list(base, journey(walkers, connections), "views")
        keys_after = page_keys(redis_url)
    renders = len(keys_after - keys_before)
    log(
        f"deposit day: {views['items']} views, {views['rps']:.1f} req/s, p95 {views['p95']:.1f} ms, "
        f"errors {views['errors']}; {renders} rendered, {views['items'] - renders} from the cache"
    )
    return {
        "members": len(members),
        "with_login": chosen["with_login"],
        "with_loan": sum(m["has_loan"] for m in members),
        "logins": logins,
        "before": before,
        "floor": floor,
        "bump": bump,
        "views": views,
        "cache": {
            "day_before_written": len(keys_warm - keys_start),
            "renders": renders,
            "from_cache": views["items"] - renders,
            "distinct": views["distinct"],
        },
        "how": how,
        "connections": connections,
        "page_cache_seconds": int(env_for(db).get("PAGE_CACHE_SECONDS", "300")),
    }


def checks(figures: dict, targets: dict) -> list[tuple[str, bool]]:
    """The deposit day's lines of the targets."""
    views, floor, cache = figures["views"], figures["floor"], figures["cache"]
    share = views["rps"] / floor["rps"]
    return [
        (f"deposit day: 0 errors ({views['errors']})", views["errors"] == 0 and views["complete"]),
        (
            f"deposit day: ≥ {targets['depday_share']:.0%} of the floor's requests/s ({share:.0%})",
            share >= targets["depday_share"],
        ),
        (
            f"deposit day: p95 < {targets['depday_p95_ms']} ms ({views['p95']:.1f})",
            views["p95"] < targets["depday_p95_ms"],
        ),
        (
            f"deposit day: every first view after the version change rendered, every repeat from the cache "
            f"({cache['renders']:,} rendered for {cache['distinct']:,} distinct pages)",
            cache["renders"] == cache["distinct"],
        ),
    ]


def _row(name: str, r: dict, floor_rps: float) -> str:
    return (
        f"| {name} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | "
        f"{r['rps'] / floor_rps:.0%} |"
    )


def bump_sentence(figures: dict) -> str:
    bump = figures["bump"]
    if bump["how"] == "import":
        return (
            "a daily delta with a 汇缴 row and the account's new row for every open account "
            f"(`bench/import_delta.py`) imported with `books_import`: {bump['rows']:,} rows in "
            f"{bump['seconds']:.1f} s, {bump['members_changed']:,} members' data versions raised"
        )
    why = f" ({figures['note']})" if figures.get("note") else " (`--depday-bump update`)"
    return (
        f"the versions raised without an import{why}: `{BARE_UPDATE}`, {bump['rows']:,} members in "
        f"{bump['seconds']:.1f} s"
    )


def section(figures: dict, targets: dict) -> str:
    views, floor, before, cache = figures["views"], figures["floor"], figures["before"], figures["cache"]
    logins = figures["logins"]
    ok = {True: "met", False: "**missed**"}
    where = (
        f"`{figures['db']}`, a copy of `{figures['source_db']}` made for the run ({figures['copy_seconds']:.0f} s), "
        "so the delta's postings stay out of the bench's data"
        if figures["db"] != figures["source_db"]
        else f"`{figures['db']}`"
    )
    hit_share = cache["from_cache"] / views["items"] if views["items"] else 0
    lines = [
        SECTION_START,
        "## Deposit day: every member's data version raised at once",
        "",
        f"Run {figures['when']} by `bench/run.py` (`--depday-only` runs it alone) on {os.cpu_count()} cores shared "
        f"with other work (load average at the start / end: {figures['load']}), the page cache on (Redis, "
        f"{figures['page_cache_seconds']} s), database {where}.",
        "",
        f"{figures['members']:,} members with a login ({figures['with_login']:,} have one; {figures['with_loan']:,} "
        f"of these with an active loan), spread over the set, log in over HTTP, {logins['at_once']} at a time, each "
        "from its own address (X-Forwarded-For through loopback as the trusted proxy, as behind nginx): "
        f"{logins['count']:,} logins in {logins['seconds']:.1f} s ({logins['count'] / logins['seconds']:.1f}/s; "
        "each is the login page, the form and the redirect to home). The day before, each views its pages once "
        f"(home, 缴存支取信息, and 还款计划 with an active loan: {before['items']:,} views), and they are kept in "
        f"the page cache ({cache['day_before_written']:,} pages written). Then the deposits arrive: "
        f"{bump_sentence(figures)}. Then every member checks whether its deposit arrived: its pages once, twice "
        f"or three times, {views['items']:,} views over {figures['connections']} connections (wrk and "
        "`bench/depday.lua`: each connection walks its own members one request at a time, every request "
        f"once, a member's next look after a round of {GROUP} members' pages; a connection done before the "
        "others waits on a socket that never answers).",
        "",
        "| | req/s | p50 ms | p95 ms | p99 ms | errors | share of floor req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        _row("floor (logged in), the same members", floor, floor["rps"]),
        _row("the day before: each page once, after the login", before, floor["rps"]),
        _row("deposit day: the views after the versions moved", views, floor["rps"]),
        "",
        f"Page cache on the deposit day: {cache['renders']:,} of the {views['items']:,} views were rendered afresh "
        f"and {cache['from_cache']:,} ({hit_share:.0%}) served from the cache, counted as the page-cache keys "
        "written in Redis while the members looked (a render writes one key; a view served from the cache "
        "writes none). By design the first view of each page after the versions moved cannot come from the cache, "
        "its key holding the new data version (the day before's pages hold the old one): "
        f"{cache['distinct']:,} distinct (member, page) views, so {cache['distinct']:,} renders; every repeat "
        "comes from the cache. A first view after a login renders too: the browser's CSRF secret is in the key.",
        "",
        *(f"- {ok[flag]}: {text}" for text, flag in checks(figures, targets)),
        SECTION_END,
    ]
    if not views["complete"]:
        lines.insert(-1, "- **incomplete**: wrk stopped at its cap before every view was answered.")
    if views["seconds"] > figures["page_cache_seconds"]:
        lines.insert(
            -1,
            f"- note: the views took {views['seconds']:.0f} s, longer than the cache keeps a page: pages "
            "rendered early may have expired before they were counted.",
        )
    return "\n".join(lines) + "\n"


def targets_block(figures: dict, targets: dict) -> str:
    """The deposit day's lines in RESULTS.md's targets section."""
    ok = {True: "met", False: "**missed**"}
    lines = [f"- {ok[flag]}: {text}" for text, flag in checks(figures, targets)]
    return "\n".join([TARGETS_START, *lines, TARGETS_END]) + "\n"
