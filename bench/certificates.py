"""`make bench`'s certificates (issue 19): 电子证明 issued, downloaded again,
verified, and the 30-year 缴存明细.

On the bench database (`--db`, the scale set), both gunicorn pools as nginx
routes them (/certificates/ on the prints pool, /verify/ on the pages pool),
signing with a development certificate made for the run
(var/bench/certificate-signer.p12; production signs with the center's):

1. Members log in (bench/certificate_members.py: registered online, an
   account a 缴存证明 may be issued for, the longest ledgers first).
2. Issue: POST /certificates/deposit/ on the prints pool, every request a
   new form token, so every request renders, signs and stores a certificate;
   PRINT_CONNECTIONS at a time, as the cold plan prints. Target: p95 < 1 s.
   The certificates table must have grown by at least the answered requests.
3. Download: each member's newest certificate again and again (the stored
   bytes, nothing rendered), PRINT_CONNECTIONS at a time on the prints pool.
   Target: p95 < 50 ms.
4. Verify: the 核验码 printed on each downloaded PDF (read with pypdf), POSTed
   to /verify/ as a verifier does (no login, a CSRF cookie), on the pages pool
   with the common concurrency; the anonymous floor (/bench/floor/anonymous/,
   the cheapest page a visitor gets, bench/urls.py) just before. Target:
   ≥ 40 % of the floor's requests/s. Right codes only: /verify/ limits wrong
   codes per address (30 an hour), never right ones; an answer without the
   result (a wrong code's form is a 200 too) counts as an error.
5. The 30-year 缴存明细 (bench/certificate_ledger.py, in-process): built,
   rendered, signed and stored in a transaction rolled back. Target: < 3 s.
   Said to be not measured when the chosen member is refused one.

Run alone: `bench/run.py --certificates-only` (rewrites its section of
bench/RESULTS.md; the bench data must be there: a full `make bench` builds it).
"""

import json
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from io import BytesIO
from pathlib import Path

from bench.report import CERTIFICATES_TARGETS_END as TARGETS_END
from bench.report import CERTIFICATES_TARGETS_START as TARGETS_START
from bench.run import PG, PY, ROOT, WORK, Server, env_for, log, login, parse_wrk

SECTION_START = "<!-- certificates: written by bench/certificates.py -->"
SECTION_END = "<!-- /certificates -->"
ISSUE_PATH = "/certificates/deposit/"
LIST_PATH = "/certificates/"
VERIFY_PATH = "/verify/"
FLOOR_ANONYMOUS = "/bench/floor/anonymous/"
# Members issuing at once on the prints pool (its workers: half the cores).
PRINT_CONNECTIONS = 2
# What only /verify/'s result page holds (templates/inquiry/certificates/verify_result.html).
VERIFIED_MARK = 'data-testid="verify-state"'
CODE_RE = re.compile(r"[2-9A-HJKMNP-Z]{4}(?:-[2-9A-HJKMNP-Z]{4}){4}")
PDF_LINK_RE = re.compile(r"/certificates/(\d+)/pdf/")
SIGNER_FILE = "certificate-signer.p12"
# Bench only: the passphrase of the development signing certificate made for the run.
SIGNER_PASSPHRASE = "bench-only-signer-passphrase"  # noqa: S105 - a throwaway certificate of the bench
PORT_OFFSET = 50


def add_arguments(parser) -> None:
    parser.add_argument("--skip-certificates", action="store_true", help="leave out the certificates section")
    parser.add_argument(
        "--certificates-only", action="store_true", help="only the certificates section (bench/certificates.py)"
    )
    parser.add_argument(
        "--certificate-members", type=int, default=8, help="members who issue, download and hand out codes"
    )


def signer_env(base: str) -> dict:
    """The settings a certificate needs: the signing certificate and the
    address its QR code and text point at."""
    return {
        "CERTIFICATE_SIGNER_P12": str(WORK / SIGNER_FILE),
        "CERTIFICATE_SIGNER_PASSPHRASE": SIGNER_PASSPHRASE,
        "PORTAL_BASE_URL": base,
    }


def signer_create(db: str) -> None:
    """The development signing certificate, made once (kept in var/bench)."""
    subprocess.run(
        [PY, "manage.py", "certificate_signer_create", "--path", str(WORK / SIGNER_FILE), "--if-missing"],
        cwd=ROOT,
        env=env_for(db, CERTIFICATE_SIGNER_PASSPHRASE=SIGNER_PASSPHRASE),
        check=True,
        capture_output=True,
        text=True,
    )


def request_lines(requests: list[tuple[str, str, str, str]]) -> str:
    """The list bench/certificates.lua reads: method, Cookie, path, body."""
    for request in requests:
        if any("\t" in part or "\n" in part for part in request):
            raise ValueError(f"a tab or newline in a request: {request!r}")
    return "".join("\t".join(request) + "\n" for request in requests)


def cookie_value(cookie_header: str, name: str) -> str:
    return dict(part.strip().split("=", 1) for part in cookie_header.split(";") if "=" in part)[name]


def issue_body(cookie_header: str) -> str:
    """The 开具缴存证明 form: a fresh form token each time (%UUID%), 用途 贷款."""
    fields = {"csrfmiddlewaretoken": cookie_value(cookie_header, "csrftoken"), "purpose": "loan", "purpose_text": ""}
    return urllib.parse.urlencode(fields) + "&form_token=%UUID%"


def verify_body(csrf: str, code: str) -> str:
    return urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "code": code})


def wrk_list(base, requests, name, *, status, text="", connections, seconds) -> dict:
    """wrk over `requests` in turn (bench/certificates.lua) for `seconds`:
    its figures, an answer that is not `status` (or lacks `text`) an error."""
    file = WORK / f"certificates-{name}.txt"
    file.write_text(request_lines(requests))
    cmd = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    cmd += ["-s", str(ROOT / "bench" / "certificates.lua"), base + "/", "--", str(file), str(status)]
    return parse_wrk(subprocess.run(cmd + ([text] if text else []), check=True, capture_output=True, text=True).stdout)


def measure_list(base, requests, name, args, *, counted: str | None = None, **wrk_args) -> dict:
    """A warm-up run (args.warmup seconds), then the measured one (args.seconds);
    with `counted` (a table), how many rows the measured run added."""
    if args.warmup:
        wrk_list(base, requests, name, seconds=args.warmup, **wrk_args)
    before = table_count(args.db, counted) if counted else 0
    figures = wrk_list(base, requests, name, seconds=args.seconds, **wrk_args)
    if counted:
        figures["added"] = table_count(args.db, counted) - before
    return figures


def fetch(url: str, cookie: str = "") -> bytes:
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
        return response.read()


def newest_certificate(base: str, cookie: str) -> int | None:
    """The pk of the member's newest certificate, from 我的证明's download links."""
    found = PDF_LINK_RE.search(fetch(base + LIST_PATH, cookie).decode())
    return int(found.group(1)) if found else None


def code_on(pdf: bytes) -> str | None:
    """The 核验码 printed on a certificate PDF."""
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).replace(" ", "")
    found = CODE_RE.search(text)
    return found.group(0) if found else None


def anonymous_csrf(base: str) -> str:
    """A visitor's CSRF cookie, as /verify/'s form sets it."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + VERIFY_PATH).read()
    return next(cookie.value for cookie in jar if cookie.name == "csrftoken")


def table_count(db: str, table: str) -> int:
    import psycopg

    with psycopg.connect(PG + db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - our own table names


def ledger_figures(db: str, base: str) -> dict:
    """bench/certificate_ledger.py's JSON; a failure is said, not raised."""
    result = subprocess.run(
        [PY, "bench/certificate_ledger.py"],
        cwd=ROOT,
        env=env_for(db, PYTHONWARNINGS="ignore", **signer_env(base)),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        return {"skipped": f"bench/certificate_ledger.py failed: {result.stderr.strip().splitlines()[-1:]}"}
    return json.loads(result.stdout)


def run(args) -> dict:
    from bench.run import script_json

    WORK.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    db, port = args.db, args.port + PORT_OFFSET
    signer_create(db)
    chosen = script_json(db, "bench/certificate_members.py", str(args.certificate_members))
    if not chosen["members"]:
        raise SystemExit(f"certificates: no member with a login and an account a certificate may be issued for in {db}")
    base, prints = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    with Server(db, port, signer_env(base)):
        cookies = [login(base, m["id_number"], chosen["password"]) for m in chosen["members"]]
        log(f"certificates: {len(cookies)} members logged in; issuing 缴存证明 on the prints pool")
        issue_requests = [("POST", cookie, ISSUE_PATH, issue_body(cookie)) for cookie in cookies]
        issue = measure_list(
            prints,
            issue_requests,
            "issue",
            args,
            counted="inquiry_certificate",
            status=302,
            connections=PRINT_CONNECTIONS,
        )
        log(f"certificates: issue p95 {issue['p95']:.0f} ms, {issue['added']} issued, errors {issue['errors']}")
        newest = [(cookie, newest_certificate(prints, cookie)) for cookie in cookies]
        newest = [(cookie, pk) for cookie, pk in newest if pk is not None]
        if not newest:
            raise SystemExit("certificates: no certificate was issued (see var/bench/gunicorn-prints.log)")
        downloads = [("GET", cookie, f"/certificates/{pk}/pdf/", "") for cookie, pk in newest]
        download = measure_list(prints, downloads, "download", args, status=200, connections=PRINT_CONNECTIONS)
        log(f"certificates: repeat download p95 {download['p95']:.1f} ms, errors {download['errors']}")
        codes = [code_on(fetch(f"{prints}/certificates/{pk}/pdf/", cookie)) for cookie, pk in newest]
        codes = [code for code in codes if code]
        if not codes:
            raise SystemExit("certificates: no 核验码 could be read from the downloaded PDFs")
        csrf = anonymous_csrf(base)
        floor = measure_list(
            base, [("GET", "", FLOOR_ANONYMOUS, "")], "floor", args, status=200, connections=args.connections
        )
        verifications = [("POST", f"csrftoken={csrf}", VERIFY_PATH, verify_body(csrf, code)) for code in codes]
        verify = measure_list(
            base,
            verifications,
            "verify",
            args,
            counted="inquiry_certificateverification",
            status=200,
            text=VERIFIED_MARK,
            connections=args.connections,
        )
        log(
            f"certificates: anonymous floor {floor['rps']:.1f} req/s, /verify/ {verify['rps']:.1f} req/s "
            f"({verify['rps'] / floor['rps']:.0%}), errors {verify['errors']}"
        )
    log("certificates: the 30-year 缴存明细, in-process")
    ledger = ledger_figures(db, base)
    return {
        "db": db,
        "members": len(cookies),
        "eligible": chosen["eligible"],
        "codes": len(codes),
        "print_connections": PRINT_CONNECTIONS,
        "connections": args.connections,
        "seconds": args.seconds,
        "issue": issue,
        "download": download,
        "floor": floor,
        "verify": verify,
        "ledger": ledger,
        "load": f"{load_start:.1f} / {os.getloadavg()[0]:.1f}",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def checks(figures: dict, targets: dict) -> list[tuple[str, bool | None]]:
    """The certificates' lines of the targets; None: not measured."""
    issue, download, floor, verify = figures["issue"], figures["download"], figures["floor"], figures["verify"]
    share = verify["rps"] / floor["rps"] if floor["rps"] else 0.0
    c = figures["print_connections"]
    lines: list[tuple[str, bool | None]] = [
        (
            f"缴存证明 issued (rendered, signed, stored) on the prints pool, {c} at a time: "
            f"p95 < {targets['certificate_issue_p95_ms']:,} ms ({issue['p95']:.0f})",
            issue["p95"] < targets["certificate_issue_p95_ms"],
        ),
        (
            f"缴存证明 issued: 0 errors ({issue['errors']}) and a certificate for every answer "
            f"({issue['added']:,} stored for {issue['requests']:,} answered)",
            issue["errors"] == 0 and issue["added"] >= issue["requests"] > 0,
        ),
        (
            f"repeat download of an issued certificate, {c} at a time: "
            f"p95 < {targets['certificate_download_p95_ms']} ms ({download['p95']:.1f}), "
            f"0 errors ({download['errors']})",
            download["p95"] < targets["certificate_download_p95_ms"] and download["errors"] == 0,
        ),
        (
            f"/verify/ with a right code: ≥ {targets['verify_share']:.0%} of the anonymous floor's requests/s "
            f"({share:.0%}), 0 errors ({verify['errors']})",
            share >= targets["verify_share"] and verify["errors"] == 0,
        ),
    ]
    ledger = figures["ledger"]
    limit = targets["ledger_certificate_s"]
    if "seconds" in ledger:
        slowest = max(ledger["seconds"])
        lines.append((f"30-year 缴存明细 issued in-process: < {limit:g} s (slowest {slowest:.2f} s)", slowest < limit))
    else:
        lines.append((f"30-year 缴存明细 < {limit:g} s ({ledger['skipped']})", None))
    return lines


def _line(text: str, flag: bool | None) -> str:
    return f"- {'not measured' if flag is None else 'met' if flag else '**missed**'}: {text}"


def _row(name: str, r: dict, floor_rps: float | None = None) -> str:
    share = f"{r['rps'] / floor_rps:.0%}" if floor_rps else ""
    return f"| {name} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | {share} |"


def ledger_sentence(ledger: dict, targets: dict) -> str:
    if "seconds" not in ledger:
        return f"The 30-year 缴存明细: not measured ({ledger['skipped']})."
    times = ", ".join(f"{s:.2f} s" for s in ledger["seconds"])
    cpus = ", ".join(f"{s:.2f} s" for s in ledger["cpu_seconds"])
    rows = f", {ledger['rows']:,} rows" if ledger.get("rows") else ""
    return (
        f"The 30-year 缴存明细 ({ledger['start']} to {ledger['end']}, the oldest account: opened "
        f"{ledger['opened_on']}), issued in-process after a warm-up and rolled back each time: {times} "
        f"(CPU {cpus}); a PDF of {ledger['pdf_bytes']:,} bytes{rows}. Target < {targets['ledger_certificate_s']:g} s."
    )


def section(figures: dict, targets: dict) -> str:
    issue, download, floor, verify = figures["issue"], figures["download"], figures["floor"], figures["verify"]
    lines = [
        SECTION_START,
        "## Certificates (issue 19): issue, download, verify",
        "",
        f"Run {figures['when']} by `bench/run.py` (`--certificates-only` runs it alone) on {os.cpu_count()} cores "
        f"shared with other work (load average at the start / end: {figures['load']}), database `{figures['db']}`, "
        "both pools as nginx routes them (/certificates/ on the prints pool), signed with a development "
        "certificate made for the run (RSA-3072, as `certificate_signer_create` makes).",
        "",
        f"{figures['members']} members with a login and an account a 缴存证明 may be issued for "
        f"({figures['eligible']:,} have both) each issue 缴存证明 without pause ({figures['print_connections']} at "
        "a time, every POST a new form token: every one rendered, signed and stored), then download their newest "
        f"again and again; the {figures['codes']} 核验码 printed on those PDFs are then verified on /verify/ by "
        f"visitors ({figures['connections']} connections, no login), after the anonymous floor "
        f"(`{FLOOR_ANONYMOUS}`). wrk and `bench/certificates.lua`, {figures['seconds']} s each.",
        "",
        "| | req/s | p50 ms | p95 ms | p99 ms | errors | share of the anonymous floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        _row("issue a 缴存证明 (prints pool)", issue),
        _row("download an issued certificate again (prints pool)", download),
        _row("anonymous floor (pages pool)", floor, floor["rps"]),
        _row("/verify/ with a right code (pages pool)", verify, floor["rps"]),
        "",
        f"Certificates stored while issuing: {issue['added']:,} for {issue['requests']:,} answered requests. "
        f"Verifications recorded: {verify['added']:,} for {verify['requests']:,} answered requests.",
        "",
        ledger_sentence(figures["ledger"], targets),
        "",
        *(_line(text, flag) for text, flag in checks(figures, targets)),
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def targets_block(figures: dict, targets: dict) -> str:
    """The certificates' lines in RESULTS.md's targets section."""
    return "\n".join([TARGETS_START, *(_line(t, f) for t, f in checks(figures, targets)), TARGETS_END]) + "\n"


def write(figures: dict, targets: dict, output: Path) -> str:
    from bench.report import write_block

    text = section(figures, targets)
    write_block(output, SECTION_START, SECTION_END, text)
    write_block(output, TARGETS_START, TARGETS_END, targets_block(figures, targets), append=False)
    return text
