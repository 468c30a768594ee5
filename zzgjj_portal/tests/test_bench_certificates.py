"""The bench's certificates section (bench/certificates.py, bench/certificates.lua,
bench/certificate_ledger.py): its report from made-up figures, the 核验码 read
off a real certificate PDF, the wrk script against a small local server, the
30-year 缴存明细 measured in-process, and the anonymous floor."""

import re
import shutil
import threading
import uuid
from collections import Counter
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.test import override_settings

from bench import certificate_ledger, certificates
from bench.report import CERTIFICATES_TARGETS_END, CERTIFICATES_TARGETS_START, replace_block, write_report
from bench.run import FLOOR, TARGETS


def _wrk(rps: float, p95: float, errors: int = 0, requests: int | None = None) -> dict:
    return {
        "rps": rps,
        "p50": p95 / 2,
        "p95": p95,
        "p99": p95 * 1.2,
        "errors": errors,
        "requests": requests if requests is not None else int(rps * 10),
        "seconds": 10.0,
    }


def _figures(**ledger) -> dict:
    return {
        "db": "zzgjj_scale",
        "members": 8,
        "eligible": 30_000,
        "codes": 8,
        "print_connections": 2,
        "connections": 8,
        "seconds": 10,
        "issue": _wrk(4.0, 650.0) | {"added": 41},
        "download": _wrk(120.0, 20.0),
        "floor": _wrk(900.0, 12.0),
        "verify": _wrk(400.0, 30.0) | {"added": 4001},
        "ledger": ledger
        or {
            "start": "1996-12-05",
            "end": "2026-12-05",
            "opened_on": "1996-07-01",
            "seconds": [1.2, 1.4, 1.3],
            "cpu_seconds": [1.1, 1.2, 1.2],
            "pdf_bytes": 456_789,
            "rows": 360,
        },
        "load": "1.0 / 2.0",
        "when": "2026-12-05 02:00 UTC",
    }


def test_certificate_checks_judge_each_target():
    checks = dict(certificates.checks(_figures(), TARGETS))
    assert list(checks.values()) == [True, True, True, True, True]
    text = " ".join(checks)
    assert "p95 < 1,000 ms (650)" in text and "p95 < 50 ms (20.0)" in text
    assert "≥ 40% of the anonymous floor's requests/s (44%)" in text and "(slowest 1.40 s)" in text

    slow = _figures()
    slow["issue"] |= {"p95": 1200.0, "added": 30}  # fewer certificates than answers: not every issue stored
    slow["download"] |= {"p95": 51.0}
    slow["verify"] |= {"rps": 300.0}
    slow["ledger"] |= {"seconds": [2.0, 3.5, 2.1]}
    assert list(dict(certificates.checks(slow, TARGETS)).values()) == [False, False, False, False, False]


def test_certificate_section_says_what_was_not_measured():
    figures = _figures(skipped="refused for the member: 您的账户数据正在核对中,暂不能开具证明,请稍后再试")
    text = certificates.section(figures, TARGETS)
    assert text.startswith(certificates.SECTION_START) and text.rstrip().endswith(certificates.SECTION_END)
    assert "- not measured: 30-year 缴存明细 < 3 s (refused for the member: 您的账户数据正在核对中" in text
    assert "| /verify/ with a right code (pages pool) | 400.0 |" in text and "| 44% |" in text
    measured = certificates.section(_figures(), TARGETS)
    assert "1.20 s, 1.40 s, 1.30 s" in measured and "456,789 bytes, 360 rows" in measured
    assert "- met: 30-year 缴存明细 issued in-process: < 3 s (slowest 1.40 s)" in measured


def test_certificate_lines_replace_their_placeholder_in_the_report():
    endpoints = [(FLOOR, "/bench/floor/", "all", None, False)]
    args = SimpleNamespace(load_start="0.5", connections=8, seconds=10, warmup=2, logged_in=6)
    row = _wrk(300.0, 10.0)
    scale = {FLOOR: row, "_repeat_print": row, "_home_alone": row, "_home_while_printing": row}
    cpu = {FLOOR: {"cpu_ms": 2.0, "queries_cached": 1, "cold_cpu_ms": 2.0, "queries": 1, "wall_ms": 3.0}}
    cpu[FLOOR]["wall_small_ms"] = 3.0
    sizes = {"db": {"inquiry_member": 1, "inquiry_ledgerentry": 2, "inquiry_loancontract": 3, "inquiry_repayment": 4}}
    report = write_report(args, scale, {FLOOR: row}, {FLOOR: row}, sizes, "seeded", endpoints, TARGETS, cpu)
    assert "Issue 19 asks of certificates" in report
    heading = report.index("### Certificates (issue 19)")
    assert heading < report.index(CERTIFICATES_TARGETS_START) < report.index("## Where the time goes")
    block = certificates.targets_block(_figures(), TARGETS)
    replaced = replace_block(report, CERTIFICATES_TARGETS_START, CERTIFICATES_TARGETS_END, block)
    assert "--certificates-only" not in replaced and replaced.count("- met: ") == report.count("- met: ") + 5


def test_issue_requests_carry_the_csrf_token_and_a_fresh_token_each():
    cookie = "csrftoken=abc123; sessionid=xyz"
    body = certificates.issue_body(cookie)
    assert body.startswith("csrfmiddlewaretoken=abc123&") and body.endswith("&form_token=%UUID%")
    lines = certificates.request_lines([("POST", cookie, certificates.ISSUE_PATH, body)])
    assert lines == f"POST\t{cookie}\t/certificates/deposit/\t{body}\n"
    with pytest.raises(ValueError, match="tab or newline"):
        certificates.request_lines([("GET", "a\tb", "/", "")])


def test_the_code_is_read_off_a_certificate_pdf():
    from inquiry.certificates.rendering import CertificateHTML
    from inquiry.printing import BASE_URL, StaticOnlyFetcher

    code = "K7QF-3MZP-ABCD-EFGH-2345"
    html = render_to_string(
        "inquiry/certificates/deposit_pdf.html",
        {"title": "缴存证明", "facts": [("姓名", "王晓明"), ("个人账号", "ABCD-EFGH")], "code": code},
    )
    pdf = CertificateHTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()
    assert certificates.code_on(pdf) == code


class _Recorder(BaseHTTPRequestHandler):
    """HTTP/1.0: the connection closes after every answer, as gunicorn's sync workers do."""

    seen: list[tuple[str, str, str, str, str]] = []
    status = HTTPStatus.FOUND
    body = b"ok"

    def _answer(self, body_in: str):
        type(self).seen.append(
            (self.command, self.headers.get("Cookie", ""), self.path, self.headers.get("Content-Type", ""), body_in)
        )
        self.send_response(type(self).status)
        self.send_header("Content-Length", str(len(type(self).body)))
        self.end_headers()
        self.wfile.write(type(self).body)

    def do_POST(self):  # noqa: N802 - http.server's name
        self._answer(self.rfile.read(int(self.headers["Content-Length"])).decode())

    def do_GET(self):  # noqa: N802 - http.server's name
        self._answer("")

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder(tmp_path, monkeypatch):
    monkeypatch.setattr(certificates, "WORK", tmp_path)
    _Recorder.seen, _Recorder.status, _Recorder.body = [], HTTPStatus.FOUND, b"ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk")


@needs_wrk
def test_the_wrk_script_posts_each_members_form_with_a_new_token_every_time(recorder):
    members = [f"csrftoken=t{i}; sessionid=s{i}" for i in range(3)]
    requests = [("POST", cookie, certificates.ISSUE_PATH, certificates.issue_body(cookie)) for cookie in members]
    figures = certificates.wrk_list(recorder, requests, "issue", status=302, connections=2, seconds=1)
    seen = _Recorder.seen
    assert figures["errors"] == 0 and figures["requests"] > 6 and len(seen) >= figures["requests"]
    assert Counter(cookie for _, cookie, *_ in seen).keys() == set(members)
    tokens = []
    for method, cookie, path, content_type, body in seen:
        assert (method, path, content_type) == ("POST", "/certificates/deposit/", "application/x-www-form-urlencoded")
        fields = dict(part.split("=", 1) for part in body.split("&"))
        assert fields["csrfmiddlewaretoken"] == cookie.split(";")[0].removeprefix("csrftoken=")
        assert uuid.UUID(fields["form_token"]).version == 4
        tokens.append(fields["form_token"])
    assert len(set(tokens)) == len(tokens)


@needs_wrk
def test_the_wrk_script_counts_a_wrong_status_or_a_missing_text_as_an_error(recorder):
    get = [("GET", "", "/verify/", "")]
    # A 302 where a 200 was wanted.
    assert certificates.wrk_list(recorder, get, "x", status=200, connections=1, seconds=1)["errors"] > 0
    _Recorder.status, _Recorder.body = HTTPStatus.OK, b"<p>wrong code</p>"
    wanted = certificates.VERIFIED_MARK
    missing = certificates.wrk_list(recorder, get, "x", status=200, text=wanted, connections=1, seconds=1)
    assert missing["errors"] == missing["requests"] > 0
    _Recorder.body = f"<p {wanted}>有效</p>".encode()
    found = certificates.wrk_list(recorder, get, "x", status=200, text=wanted, connections=1, seconds=1)
    assert found["errors"] == 0 and found["requests"] > 0
    assert {cookie for _, cookie, *_ in _Recorder.seen} == {""}


@pytest.mark.django_db
def test_the_30_year_ledger_is_issued_timed_and_rolled_back(center_signer):
    from inquiry.models import Certificate
    from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory
    from zzgjj_portal.models import AuditEvent

    account = FundAccountFactory()
    # One entry before the 30 years, three inside them (30 years back from a 29 February is the 28th).
    for booked_on in (date(1994, 2, 27), date(1994, 2, 28), date(2010, 6, 30), date(2024, 2, 29)):
        LedgerEntryFactory(account=account, booked_on=booked_on)
    figures = certificate_ledger.measure(account.member, today=date(2024, 2, 29), repeat=2)
    assert len(figures["seconds"]) == len(figures["cpu_seconds"]) == 2 and figures["pdf_bytes"] > 10_000
    assert figures["start"] == "1994-02-28" and figures["rows"] == 3
    assert not Certificate.objects.exists() and not AuditEvent.objects.filter(kind="certificate_issued").exists()


@pytest.mark.django_db
def test_a_refused_30_year_ledger_is_said_not_measured(monkeypatch, center_signer):
    from inquiry.certificates import documents
    from inquiry.tests.factories import FundAccountFactory

    def refused(**kwargs):
        raise documents.CertificateRefused("您的账户数据正在核对中", code="checking")

    monkeypatch.setattr(documents, "ledger_document", refused, raising=False)
    figures = certificate_ledger.measure(FundAccountFactory().member, today=date(2026, 12, 5))
    assert figures["skipped"] == "refused for the member: 您的账户数据正在核对中"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="bench.urls")
def test_the_anonymous_floor_answers_a_visitor_and_the_member_floor_does_not(client):
    response = client.get(certificates.FLOOR_ANONYMOUS)
    assert response.status_code == HTTPStatus.OK and response.content == b"floor"
    assert "no-cache" in response["Cache-Control"] and "sessionid" not in response.cookies
    assert client.get("/bench/floor/").status_code == HTTPStatus.FOUND


def test_the_verified_mark_is_on_the_result_page_only():
    # bench/certificates.lua counts a 200 without it as an error: a wrong code's form is a 200 too.
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR) / "templates" / "inquiry" / "certificates"
    holding = sorted(p.name for p in templates.glob("*.html") if certificates.VERIFIED_MARK in p.read_text())
    assert holding == ["verify_result.html"]


def test_years_before_keeps_the_day_or_takes_the_28th():
    assert certificate_ledger.years_before(date(2026, 12, 5), 30) == date(1996, 12, 5)
    assert certificate_ledger.years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert certificate_ledger.years_before(date(2024, 2, 29), 30) == date(1994, 2, 28)
    assert re.fullmatch(certificates.CODE_RE, "K7QF-3MZP-ABCD-EFGH-2345")
