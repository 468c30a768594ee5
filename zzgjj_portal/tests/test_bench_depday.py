"""The bench's deposit day (bench/depday.py, bench/depday.lua) and wrk's
figures (bench/run.py): the pure parts, and the wrk script against a small
local server. No database."""

import ipaddress
import re
import shutil
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import depday
from bench.report import replace_block
from bench.run import TARGETS, parse_wrk

WRK_OUT = """Running 5s test @ http://127.0.0.1:9130/
  2 threads and 4 connections
Requests/sec:    123.45
JSON {"requests": 1100, "padded": 100, "duration_us": 4000000, "bytes": 9, "not_ok": 2, "connect": 0, \
"read": 1, "write": 0, "timeout": 3, "p50": 12500, "p95": 40000, "p99": 81000, "max": 99000}
"""


def test_parse_wrk_reads_the_json_line_in_ms_and_leaves_out_the_padding():
    figures = parse_wrk(WRK_OUT)
    assert figures["requests"] == 1000 and figures["padded"] == 100
    assert figures["rps"] == pytest.approx(250.0)
    assert (figures["p50"], figures["p95"], figures["p99"]) == (12.5, 40.0, 81.0)
    # Not-200 answers and socket errors alike.
    assert figures["errors"] == 6


def test_parse_wrk_without_padding_counts_every_request():
    assert parse_wrk(WRK_OUT.replace('"padded": 100, ', ""))["requests"] == 1100


def _members(n: int) -> list[dict]:
    return [
        {"cookie": f"sessionid=m{i}", "paths": depday.member_paths(i % 4 == 0), "views": depday.views_of(i)}
        for i in range(n)
    ]


def test_journey_sends_each_members_pages_as_often_as_it_looks_over_its_own_connection():
    members = _members(50)
    lists = depday.journey(members, 4)
    sent = Counter(item for items in lists for item in items)
    expected = Counter({(m["cookie"], p): m["views"] for m in members for p in m["paths"]})
    assert sent == expected
    # A member walks one connection: its pages never race each other.
    owners = {}
    for c, items in enumerate(lists):
        for cookie, _ in items:
            assert owners.setdefault(cookie, c) == c
    assert depday.distinct_pages(lists) == sum(len(m["paths"]) for m in members)


def test_journey_looks_again_only_after_other_members_looked():
    items = depday.journey(_members(40), 1)[0]
    for at, item in enumerate(items):
        if item in items[at + 1 :]:
            between = items[at + 1 : at + 1 + items[at + 1 :].index(item)]
            assert any(cookie != item[0] for cookie, _ in between)


def test_journey_shares_the_work_out_evenly():
    members = _members(200)
    lists = depday.journey(members, 8)

    def work(items):
        seen, total = set(), 0
        for item in items:
            total += 1 if item in seen else depday.RENDER_COST
            seen.add(item)
        return total

    works = [work(items) for items in lists]
    heaviest_member = 3 * (depday.RENDER_COST + 2)
    assert max(works) - min(works) <= heaviest_member


def test_the_day_before_is_every_page_once():
    members = _members(30)
    lists = depday.journey(members, 3, repeat=False)
    sent = [item for items in lists for item in items]
    assert len(sent) == len(set(sent)) == sum(len(m["paths"]) for m in members)


def test_journey_text_is_what_the_wrk_script_reads():
    lists = depday.journey(_members(9), 3)
    text = depday.journey_text(lists)
    lines = text.splitlines()
    assert len(lines) == sum(len(items) for items in lists)
    # The pattern of bench/depday.lua's init().
    parsed = [re.fullmatch(r"(\d+)\t([^\t]*)\t(.+)", line).groups() for line in lines]
    for c, items in enumerate(lists, 1):
        assert [(cookie, path) for t, cookie, path in parsed if t == str(c)] == items


def test_every_member_logs_in_from_an_address_of_its_own():
    addresses = [depday.forwarded_for(i) for i in range(70_000)]
    assert len(set(addresses)) == len(addresses)
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network("10.0.0.0/8") for a in addresses)


def _figures(**cache) -> dict:
    views = {"rps": 120.0, "p50": 20.0, "p95": 45.0, "p99": 70.0, "errors": 0, "items": 900, "padded": 0}
    views["seconds"] = 7.5
    return {
        "views": views | {"complete": True, "distinct": 400},
        "before": views | {"items": 400, "complete": True, "distinct": 400},
        "floor": {"rps": 250.0, "p50": 5.0, "p95": 9.0, "p99": 12.0, "errors": 0},
        "cache": {"renders": 400, "from_cache": 500, "distinct": 400, "day_before_written": 400} | cache,
        "bump": {"how": "import", "rows": 5816, "members_changed": 2816, "seconds": 1.5},
        "logins": {"count": 200, "seconds": 35.0, "at_once": 4},
        "members": 200,
        "with_login": 868,
        "with_loan": 40,
        "connections": 4,
        "page_cache_seconds": 300,
        "db": "zzgjj_x_depday",
        "source_db": "zzgjj_x",
        "copy_seconds": 1.0,
        "note": "",
        "load": "1.0 / 2.0",
        "when": "2026-12-04 15:44 UTC",
    }


def test_deposit_day_checks_against_the_floor_and_the_cache_design():
    checks = dict(depday.checks(_figures(), TARGETS))
    assert list(checks.values()) == [True, True, True, True]
    assert "≥ 40% of the floor's requests/s (48%)" in " ".join(checks)
    # A first view served from the cache (versions not raised) is a miss of the design.
    assert list(dict(depday.checks(_figures(renders=350), TARGETS)).values())[-1] is False
    slow = _figures()
    slow["views"] |= {"rps": 90.0, "p95": 55.0, "errors": 1}
    assert list(dict(depday.checks(slow, TARGETS)).values())[:3] == [False, False, False]


def test_deposit_day_section_says_how_the_versions_moved():
    text = depday.section(_figures(), TARGETS)
    assert text.startswith(depday.SECTION_START) and text.rstrip().endswith(depday.SECTION_END)
    assert "imported with `books_import`: 5,816 rows" in text
    assert "400 of the 900 views were rendered afresh and 500 (56%) served from the cache" in text
    fallback = _figures()
    fallback["bump"] = {"how": "update", "rows": 3000, "members_changed": 3000, "seconds": 0.2}
    fallback["note"] = "zzgjj_x could not be copied (ObjectInUse: …)"
    text = depday.section(fallback, TARGETS)
    assert depday.BARE_UPDATE in text and "could not be copied" in text
    assert "may have expired" not in text
    slow = _figures()
    slow["views"]["seconds"] = 400.0
    assert "may have expired before they were counted" in depday.section(slow, TARGETS)


def test_deposit_day_lines_replace_the_placeholder_in_the_targets():
    report = (
        f"## Targets\n\n### Deposit day (issue 18)\n\n{depday.TARGETS_START}\n- not measured\n{depday.TARGETS_END}\n"
    )
    replaced = replace_block(
        report, depday.TARGETS_START, depday.TARGETS_END, depday.targets_block(_figures(), TARGETS)
    )
    assert "not measured" not in replaced and replaced.count("deposit day:") == 4
    assert replaced.startswith("## Targets\n\n### Deposit day (issue 18)\n\n")


class _Recorder(BaseHTTPRequestHandler):
    """HTTP/1.0: the connection closes after every answer, as gunicorn's sync workers do."""

    seen: list[tuple[str, str]] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).seen.append((self.headers.get("Cookie", ""), self.path))
        body = b"ok"
        self.send_response(404 if self.path == "/missing/" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk")
def test_the_wrk_script_sends_every_request_once_and_stops_when_all_are_answered(tmp_path, monkeypatch):
    monkeypatch.setattr(depday, "WORK", tmp_path)
    _Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        members = _members(12)
        members[5]["paths"] = [*members[5]["paths"], "/missing/"]
        lists = depday.journey(members, 3)
        figures = depday.run_list(f"http://127.0.0.1:{server.server_address[1]}", lists, "test")
    finally:
        server.shutdown()
        server.server_close()
    wanted = Counter(item for items in lists for item in items)
    # Every request once, and nothing else: a connection done early waits off the server.
    assert Counter(_Recorder.seen) == wanted
    assert figures["complete"] and figures["items"] == figures["requests"] == sum(wanted.values())
    assert figures["padded"] == 0
    # The one page that is not there, asked as often as member 5 looks.
    assert figures["errors"] == members[5]["views"]
    # Done when the list is, not at wrk's cap (a minute and more).
    assert figures["seconds"] < 20
