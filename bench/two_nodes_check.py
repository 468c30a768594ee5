"""The checks of bench/two_nodes.sh (which starts nginx and the two nodes).

Each check prints what it did and the figures it saw; the exit status is
the number of failed checks (0: all passed)."""

import argparse
import functools
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
django.setup()

from accounts import texts  # noqa: E402
from accounts.models import SmsCode  # noqa: E402
from inquiry.models import Member  # noqa: E402
from zzgjj_portal.management.commands import _scale_rows  # noqa: E402

FAILED: list[str] = []
CHECKS = 7


def check(name: str, ok: bool, detail: str) -> None:
    print(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}", flush=True)
    if not ok:
        FAILED.append(name)


class Browser:
    """One browser: its own cookies, pointed at one base URL at a time."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    class _FromAddress(urllib.request.HTTPHandler):
        """Connect from this loopback address (127.0.0.2 …): another client to nginx."""

        def __init__(self, address: str):
            super().__init__()
            self.address = address

        def http_open(self, req):
            return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.address, 0)), req)

    def __init__(self, address: str | None = None):
        self.cookies = urllib.request.HTTPCookieProcessor()
        handlers = [self.cookies, self._NoRedirect] + ([self._FromAddress(address)] if address else [])
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=20) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode()

    def form(self, url: str) -> dict:
        _, _, page = self.request(url)
        return dict(re.findall(r'name="(csrfmiddlewaretoken|captcha_0)" value="([^"]+)"', page))

    def post_form(self, url: str, fields: dict) -> tuple[int, str, str]:
        return self.request(url, {**self.form(url), **fields, "captcha_1": "PASSED"})

    def session(self) -> str:
        return next((c.value for c in self.cookies.cookiejar if c.name == "sessionid"), "")


def login(browser: Browser, base: str, id_number: str, password: str) -> int:
    status, _, _ = browser.post_form(base + "/", {"identifier": id_number, "password": password})
    return status


def check_session(a: str, b: str, member: Member) -> None:
    browser = Browser()
    status = login(browser, a, member.id_number, _scale_rows.SCALE_PASSWORD)
    home_a, _, _ = browser.request(a + "/home/")
    home_b, _, page_b = browser.request(b + "/home/")
    check(
        "session made on node A works on node B",
        status == 302 and home_a == 200 and home_b == 200 and member.name in page_b,
        f"login on A -> {status}, /home/ on A -> {home_a}, same cookie /home/ on B -> {home_b}",
    )


def check_lockout(a: str, b: str, member: Member) -> None:
    browser = Browser()
    statuses = []
    for attempt in range(5):
        node = a if attempt % 2 == 0 else b
        statuses.append(login(browser, node, member.id_number, "Wrong#2026pass"))
    # The right password now, on node B: the member is locked whichever node counted.
    status, _, page = browser.post_form(
        b + "/", {"identifier": member.id_number, "password": _scale_rows.SCALE_PASSWORD}
    )
    locked = texts.LOCKED.split("{")[0] in page
    check(
        "login lockout counts across nodes",
        status == 200 and locked,
        f"5 wrong passwords (3 on A, 2 on B) -> {statuses}; right password on B -> {status}, "
        f"{'locked message shown' if locked else 'NOT locked'}",
    )


def check_sms(a: str, b: str, member: Member) -> None:
    sent_on = []
    for node in (a, b):
        browser = Browser()
        status, _, _ = browser.post_form(node + "/register/", {"name": member.name, "id_number": member.id_number})
        if status != 302:
            sent_on.append(f"identity step {status}")
            continue
        sms_url = node + "/register/sms/"
        browser.request(sms_url, {**browser.form(sms_url), "action": "send"})
        _, _, page = browser.request(sms_url)
        refused, sent = texts.SMS_COOLDOWN.split("{")[0], texts.SMS_SENT.split("{")[0]
        sent_on.append("refused (cooldown)" if refused in page else "sent" if sent in page else "no message")
    codes = SmsCode.objects.filter(phone=member.phone).count()
    check(
        "SMS limits count across nodes",
        sent_on == ["sent", "refused (cooldown)"] and codes == 1,
        f"send on A -> {sent_on[0]}, another browser on B one second later -> {sent_on[1]}; codes stored: {codes}",
    )


def check_client_address(nginx: str, member: Member, run: Path) -> None:
    """Through nginx, Django must see each client's own address (TRUSTED_PROXIES
    believes the X-Forwarded-For that nginx writes): 20 wrong logins from one
    client lock that client's address, not every client behind the proxy."""
    guesser, member_browser = Browser("127.0.0.2"), Browser("127.0.0.3")
    for attempt in range(20):
        login(guesser, nginx, _scale_rows.id_number(1000 + attempt), "Wrong#2026pass")
    status, _, page = guesser.post_form(nginx + "/", {"identifier": member.id_number, "password": "Wrong#2026pass"})
    guesser_locked = texts.IP_LOCKED.split("{")[0] in page
    member_status = login(member_browser, nginx, member.id_number, _scale_rows.SCALE_PASSWORD)
    check(
        "each client's own address reaches Django through nginx",
        guesser_locked and member_status == 302,
        f"20 wrong logins from 127.0.0.2 -> {'its address locked' if guesser_locked else 'NOT locked'}; "
        f"a member's right password from 127.0.0.3 -> {member_status} (302: logged in, not locked out)",
    )
    # The search a hall clerk makes (?q=<ID number>) must not reach the access log.
    Browser().request(nginx + "/admin/inquiry/member/?q=" + member.id_number)
    access_log = (run / "nginx-access.log").read_text()
    check(
        "the nginx access log holds no query string",
        "/admin/inquiry/member/" in access_log and member.id_number not in access_log,
        f"{len(access_log.splitlines())} lines, an admin search by ID number logged as its path only",
    )


def wrk(url: str, sessions: Path, seconds: int, out: dict) -> None:
    result = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "-s", str(ROOT / "bench/journey.lua"), url, "--",
         str(sessions), urllib.parse.urlsplit(url).path],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(line for line in result.stdout.splitlines() if line.startswith("JSON "))
    out.update(json.loads(line[5:]))


def under_load(name: str, nginx: str, sessions: Path, action, seconds: int = 8) -> None:
    out: dict = {}
    thread = threading.Thread(target=wrk, args=(nginx + "/bench/floor/", sessions, seconds, out))
    thread.start()
    time.sleep(seconds / 3)
    what = action()
    thread.join()
    errors = out["not_ok"] + out["connect"] + out["read"] + out["write"] + out["timeout"]
    check(
        name,
        errors == 0 and out["requests"] > 0,
        f"{what}; {out['requests']} GETs through nginx in {seconds} s, {errors} failed "
        f"(non-200 {out['not_ok']}, socket errors {out['connect'] + out['read'] + out['write'] + out['timeout']})",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("nginx", "a", "b"):
        parser.add_argument(f"--{name}", type=int, required=True)
    parser.add_argument("--run", required=True)
    args = parser.parse_args()
    run = Path(args.run)
    nginx, a, b = (f"http://127.0.0.1:{p}" for p in (args.nginx, args.a, args.b))
    for base in (a, b, nginx):
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
    numbers = [_scale_rows.id_number(i) for i in range(90)]
    registered = list(Member.objects.filter(id_number__in=numbers, user__isnull=False).order_by("id")[:3])
    unregistered = Member.objects.filter(id_number__in=numbers, user__isnull=True).exclude(phone="").first()
    check_session(a, b, registered[0])
    check_lockout(a, b, registered[1])
    check_sms(a, b, unregistered)
    check_client_address(nginx, registered[2], run)

    browser = Browser()
    login(browser, nginx, registered[0].id_number, _scale_rows.SCALE_PASSWORD)
    sessions = run / "sessions.txt"
    sessions.write_text(browser.session() + "\n")
    pid_a = int((run / "node-a.pid").read_text())

    def reload_a():
        os.kill(pid_a, signal.SIGHUP)
        return f"HUP to node A (pid {pid_a}) mid-run"

    under_load("HUP reload of one node under load loses no request", nginx, sessions, reload_a)
    time.sleep(2)

    def stop_a():
        os.kill(pid_a, signal.SIGTERM)
        return f"TERM to node A (pid {pid_a}) mid-run, node A gone for the rest"

    under_load("stopping one node under load fails no GET", nginx, sessions, stop_a)
    failed = f"; FAILED: {', '.join(FAILED)}" if FAILED else ""
    print(f"two_nodes: {CHECKS - len(FAILED)} of {CHECKS} checks passed{failed}")
    sys.exit(len(FAILED))


if __name__ == "__main__":
    main()
