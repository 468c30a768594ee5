"""bench/RESULTS.md from one run's figures (see bench/run.py)."""

import os
import platform
import re
import time
from pathlib import Path

FLOOR = "floor (logged in)"
# The deposit day's lines in the targets section, written by bench/depday.py
# (also alone: `bench/run.py --depday-only` replaces them in place).
DEPDAY_TARGETS_START = "<!-- depday targets: written by bench/depday.py -->"
DEPDAY_TARGETS_END = "<!-- /depday targets -->"
NOT_MEASURED = "- not measured in this run: `bench/run.py --depday-only`"
# The certificates' lines (issue 19), written by bench/certificates.py the same way.
CERTIFICATES_TARGETS_START = "<!-- certificates targets: written by bench/certificates.py -->"
CERTIFICATES_TARGETS_END = "<!-- /certificates targets -->"
CERTIFICATES_NOT_MEASURED = "- not measured in this run: `bench/run.py --certificates-only`"
PROFILE_LINES = 20


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def _p95_limit(name: str, targets: dict) -> int:
    return targets["long_p95_ms"] if ("30 years" in name or "full plan" in name) else targets["page_p95_ms"]


def replace_block(text: str, start: str, end: str, block: str) -> str | None:
    """`text` with the part from the line `start` to the line `end` (both
    included) replaced by `block`; None when `text` has no such part."""
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end) + "\n?", re.S)
    if not pattern.search(text):
        return None
    return pattern.sub(lambda _: block, text, count=1)


def write_block(path: Path, start: str, end: str, block: str, append: bool = True) -> None:
    """Put `block` in place of the file's previous one; where there is none,
    at the end (append) or not at all."""
    current = path.read_text() if path.exists() else ""
    replaced = replace_block(current, start, end, block)
    if replaced is not None:
        path.write_text(replaced)
    elif append:
        path.write_text(current.rstrip("\n") + "\n\n" + block if current else block)


def targets_intro(targets: dict) -> list[str]:
    """Issue 18's targets for pages rendered afresh, in words."""
    share = f"{targets['page_share']:.0%}"
    return [
        "Issue 18 asks of every member page rendered afresh (a member's first view, or the first after a "
        "posting or an import: what the page cache cannot answer):",
        "",
        f"- ≥ {share} of the floor's requests/s;",
        f"- p95 < {targets['page_p95_ms']} ms (the 30-year ledger and the full plan: < {targets['long_p95_ms']} ms);",
        f"- Excel downloads p95 < {targets['excel_p95_ms']} ms;",
        f"- CPU per request ≤ {targets['cpu_ratio']}× the floor's (with sync workers, the most that leaves "
        f"{share} of the floor's requests/s);",
        f"- the deposit day (every member's data version raised at once, then many members' first views): "
        f"≥ {targets['depday_share']:.0%} of the floor's requests/s, p95 < {targets['depday_p95_ms']} ms, no errors.",
        "",
        "Issue 19 asks of certificates: a 缴存证明 issued (rendered, signed, stored) on the prints pool p95 < "
        f"{targets['certificate_issue_p95_ms'] / 1000:g} s; a repeat download p95 < "
        f"{targets['certificate_download_p95_ms']} ms; /verify/ with a right code ≥ {targets['verify_share']:.0%} "
        f"of the anonymous floor's requests/s; the 30-year 缴存明细 < {targets['ledger_certificate_s']:g} s.",
        "",
    ]


def profile_section(profile: dict, floor_cpu: float, targets: dict) -> list[str]:
    """Where a fresh page's time goes (bench/profile_page.py's JSON, by page name)."""
    names = list(profile)
    first = profile[names[0]]
    lines = [
        "## Where a fresh page's CPU goes",
        "",
        "pyinstrument in-process (`bench/profile_page.py`): the 30-year member, the bench settings with the page "
        f"cache off, {first['requests']} requests of each page after a warm-up, sampled every half millisecond. "
        "Each sample counts for the innermost Python function (a built-in one such as `getattr` for its caller's "
        "group); the groups are by that function's file, and add up to the request. The profile is wall-clock "
        "time: the database group is mostly waiting for PostgreSQL, not this process's CPU. The floor costs "
        f"{floor_cpu:.1f} ms of CPU (table above), so the {targets['cpu_ratio']}× target is "
        f"{floor_cpu * targets['cpu_ratio']:.1f} ms.",
        "",
        "| | " + " | ".join(f"{name}: ms per request | share" for name in names) + " |",
        "| --- |" + " ---: | ---: |" * len(names),
        "| wall-clock, whole request | " + " | ".join(f"{profile[n]['wall_ms']:.1f} | 100%" for n in names) + " |",
        "| CPU of this process | "
        + " | ".join(f"{profile[n]['cpu_ms']:.1f} | {profile[n]['cpu_ms'] / profile[n]['wall_ms']:.0%}" for n in names)
        + " |",
        "| queries | " + " | ".join(f"{profile[n]['queries']} |" for n in names) + " |",
    ]
    groups = dict.fromkeys(g for n in names for g, _ in profile[n]["groups"])
    for group in groups:
        cells = []
        for n in names:
            ms = dict(profile[n]["groups"]).get(group, 0.0)
            cells.append(f"{ms:.2f} | {ms / profile[n]['wall_ms']:.0%}")
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    for n in names:
        lines += [
            "",
            f"The {PROFILE_LINES} heaviest functions of {n} afresh, by time of their own:",
            "",
            "| ms per request | function | where | group |",
            "| ---: | --- | --- | --- |",
            *(
                f"| {ms:.2f} | `{function}` | `{where}` | {group} |"
                for ms, function, where, group in profile[n]["top"][:PROFILE_LINES]
            ),
        ]
    return lines


def write_report(args, scale, cold, small, sizes, seed_out, endpoints, targets, cpu, profile=None) -> str:
    floor = scale[FLOOR]
    lines = [
        "# Benchmark results",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M')} UTC by `make bench` on {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), shared with other work: figures are ratios "
        f"measured in one run, not absolutes. Load average (1 min) at the start / end of the run: "
        f"{args.load_start} / {os.getloadavg()[0]:.1f}.",
        "",
        "Set-up: PostgreSQL 15 and Redis on loopback, gunicorn from `deploy/gunicorn.conf.py` with the "
        "production settings (DEBUG off) plus `bench/settings.py` (the floor URL, captcha test mode); "
        "pages pool of one sync worker per core, prints on their own pool (as nginx routes them). "
        f"wrk, {args.connections} connections ({args.seconds} s after {args.warmup} s warm-up) spread over "
        f"{args.logged_in} logged-in members.",
        "",
        "Data: "
        + "; ".join(
            f"`{db}`: {c['inquiry_member']:,} members, {c['inquiry_ledgerentry']:,} ledger rows, "
            f"{c['inquiry_loancontract']:,} loans, {c['inquiry_repayment']:,} repayments"
            for db, c in sizes.items()
        ),
        "",
        "Seed (`seed_scale` in this run): " + " / ".join(seed_out.strip().splitlines()),
        "",
        "Member pages are kept in the page cache (Redis) keyed on the member's data version, which the "
        "database raises on any change to what the pages show (`zzgjj_portal/pagecache.py`, "
        "`inquiry/versioning.py`). The journeys below repeat the same pages for the same few members, so "
        "after the first view of each they are served from that cache. The second table is the same pages "
        "with the page cache off, every request rendered afresh: a member's first view of a page, or the "
        "first after a posting, costs that. Excel downloads are kept like pages; PDFs have their own cache "
        "(a repeat print below).",
        "",
        "### With the page cache (repeat views)",
        "",
        "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | share of floor req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    # The targets section's lines, by heading: issue 18's fresh renders first.
    fresh: list[tuple[str, bool]] = []
    cached: list[tuple[str, bool]] = []
    scaled: list[tuple[str, bool]] = []
    printing: list[tuple[str, bool]] = []
    for name, _path, _who, _conns, is_page in endpoints:
        r = scale[name]
        share = r["rps"] / floor["rps"]
        lines.append(
            f"| {name} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | "
            f"{share:.0%} |"
        )
        (printing if "PDF" in name else cached).append((f"{name}: 0 errors", r["errors"] == 0))
        if is_page:
            label = f"{name}: ≥ {targets['page_share']:.0%} of the floor ({share:.0%})"
            cached.append((label, share >= targets["page_share"]))
            limit = _p95_limit(name, targets)
            cached.append((f"{name}: p95 < {limit} ms ({r['p95']:.1f})", r["p95"] < limit))
        if "Excel" in name:
            limit = targets["excel_p95_ms"]
            cached.append((f"{name}: p95 < {limit} ms ({r['p95']:.1f})", r["p95"] < limit))
    lines += [
        "",
        "### Rendered afresh (page cache off), and at 20M against 20k rows",
        "",
        "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | share of floor req/s | p50 at 20M / at 20k rows |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    cold_floor = cold[FLOOR]
    for name, _path, _who, _conns, is_page in endpoints:
        if name not in cold:
            continue
        r = cold[name]
        share = r["rps"] / cold_floor["rps"]
        ratio = r["p50"] / small[name]["p50"] if small.get(name, {}).get("p50") else None
        lines.append(
            f"| {name} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | "
            f"{share:.0%} | {'' if ratio is None else f'{ratio:.2f}×'} |"
        )
        fresh.append((f"{name}, rendered afresh: 0 errors", r["errors"] == 0))
        if is_page:
            label = f"{name}, rendered afresh: ≥ {targets['page_share']:.0%} of the floor ({share:.0%})"
            fresh.append((label, share >= targets["page_share"]))
            limit = _p95_limit(name, targets)
            fresh.append((f"{name}, rendered afresh: p95 < {limit} ms ({r['p95']:.1f})", r["p95"] < limit))
            if ratio is not None:
                label = f"{name}, rendered afresh: 20M/20k latency ≤ {targets['scale_ratio']}× ({ratio:.2f}×)"
                scaled.append((label, ratio <= targets["scale_ratio"]))
        if "Excel" in name:
            limit = targets["excel_p95_ms"]
            fresh.append((f"{name}, rendered afresh: p95 < {limit} ms ({r['p95']:.1f})", r["p95"] < limit))
    repeat = scale["_repeat_print"]
    home = scale["_home_while_printing"]
    lines += [
        "",
        f"- Repeat print of an unchanged plan (1 connection): p50 {repeat['p50']:.1f} ms, p95 {repeat['p95']:.1f} ms, "
        f"{repeat['rps']:.1f} req/s, errors {repeat['errors']}.",
        f"- Home page while two members print new plans without pause: {home['rps']:.1f} req/s, "
        f"p50 {home['p50']:.1f} ms, p99 {home['p99']:.1f} ms, errors {home['errors']} (just before, alone: "
        f"{scale['_home_alone']['rps']:.1f} req/s, p50 {scale['_home_alone']['p50']:.1f} ms, "
        f"p99 {scale['_home_alone']['p99']:.1f} ms).",
        "",
    ]
    printing.append((f"repeat print < 100 ms (p95 {repeat['p95']:.1f})", repeat["p95"] < targets["repeat_print_ms"]))
    printing.append(
        (f"home p99 < 150 ms while two print ({home['p99']:.1f})", home["p99"] < targets["home_p99_printing_ms"])
    )
    # The floor reads nothing that grows with the data: its own 20M/20k ratio is
    # the machine's drift between the two measurements, and pages are judged
    # after it (both figures are printed).
    drift = cpu[FLOOR]["wall_ms"] / cpu[FLOOR]["wall_small_ms"]
    pages = {name for name, _path, _who, _conns, is_page in endpoints if is_page}
    floor_cpu = cpu[FLOOR]["cpu_ms"]
    for name in cpu:
        if name in pages:
            seq = cpu[name]["wall_ms"] / cpu[name]["wall_small_ms"]
            label = (
                f"{name}: 20M/20k latency ≤ {targets['scale_ratio']}×, rendered afresh one request at a time "
                f"({seq / drift:.2f}× after the floor's {drift:.2f}×; {seq:.2f}× as measured)"
            )
            scaled.append((label, seq / drift <= targets["scale_ratio"]))
            times = cpu[name]["cold_cpu_ms"] / floor_cpu
            label = f"{name}, rendered afresh: CPU ≤ {targets['cpu_ratio']}× the floor's ({times:.1f}×)"
            fresh.append((label, times <= targets["cpu_ratio"]))
    lines += ["## Targets", "", *targets_intro(targets)]
    for heading, found in (
        ("Rendered afresh (issue 18)", fresh),
        ("Deposit day (issue 18)", None),
        ("With the page cache (repeat views)", cached),
        ("20M against 20k rows", scaled),
        ("Printing", printing),
        ("Certificates (issue 19)", None),
    ):
        lines += [f"### {heading}", ""]
        if found is None and heading.startswith("Certificates"):
            # Filled in by bench/certificates.py once its section has run.
            lines += [CERTIFICATES_TARGETS_START, CERTIFICATES_NOT_MEASURED, CERTIFICATES_TARGETS_END]
        elif found is None:
            # Filled in by bench/depday.py once the deposit day has run.
            lines += [DEPDAY_TARGETS_START, NOT_MEASURED, DEPDAY_TARGETS_END]
        else:
            lines += [f"- {_ok(flag)}: {text}" for text, flag in found]
        lines.append("")
    lines += [
        "## Where the time goes (same run, in-process, the 30-year member)",
        "",
        "CPU per request and queries per request, measured in one process with the bench settings "
        "(`bench/cpu_table.py`), from the page cache (a repeat view) and rendered afresh; unlike "
        "wall-clock figures they hardly move with the neighbours' load. "
        f"With sync workers a page reaches {targets['page_share']:.0%} of the floor's requests/s only if it "
        f"costs at most {targets['cpu_ratio']}× the floor: here "
        f"{floor_cpu * targets['cpu_ratio']:.1f} ms of CPU. The target column judges each page rendered afresh.",
        "",
        "The last columns time renders one at a time (no queueing) on each data set, in two interleaved "
        "rounds, best of each: the cleanest view of what 22 million rows cost against 20,000. The floor "
        "reads nothing that grows with the data, so its own ratio is the machine's drift between the "
        "measurements; the last column divides it out.",
        "",
        "| endpoint | cached: CPU ms | × floor | queries | afresh: CPU ms | × floor "
        f"| target ≤ {targets['cpu_ratio']}× the floor | queries "
        "| ms at 20M rows | ms at 20k rows | 20M / 20k | ÷ floor's |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in cpu.items():
        times = row["cold_cpu_ms"] / floor_cpu
        target = _ok(times <= targets["cpu_ratio"]) if name in pages else ""
        lines.append(
            f"| {name} | {row['cpu_ms']:.1f} | {row['cpu_ms'] / floor_cpu:.1f}× | {row['queries_cached']} | "
            f"{row['cold_cpu_ms']:.1f} | {times:.1f}× | {target} | {row['queries']} | "
            f"{row['wall_ms']:.1f} | {row['wall_small_ms']:.1f} | {row['wall_ms'] / row['wall_small_ms']:.2f}× | "
            f"{row['wall_ms'] / row['wall_small_ms'] / drift:.2f}× |"
        )
    if profile:
        lines += ["", *profile_section(profile, floor_cpu, targets)]
    return "\n".join(lines) + "\n"
