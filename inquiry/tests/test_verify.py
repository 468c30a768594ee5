"""/verify/ (issue 19): anyone holding a certificate checks it by its 核验码
or by the PDF they received, without an account. What it shows (masked as on
the certificate, 有效 / 已过期 / 已作废), what it records (核验次数 for the
member, the masked address), and what keeps it from being a guessing oracle:
per-IP limits in the database (captcha after 10 wrong codes an hour, 429 at
30), answers that do not tell a right code from a wrong one once limited, and
no code in any URL or log line."""

import hashlib
import logging
import re
import threading
import uuid
from datetime import timedelta
from http import HTTPStatus
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.tests.conftest import Clock
from inquiry import jobs
from inquiry.certificates import codes, forms, rendering, services, throttle, views
from inquiry.certificates.digest import code_digest
from inquiry.models import Certificate, CertificatePDF, CertificateVerification, VerifyThrottle
from inquiry.tests.factories import MemberFactory
from zzgjj_portal.logs import PortalJsonFormatter
from zzgjj_portal.masking import mask_id_number

pytestmark = pytest.mark.django_db
VERIFY = reverse("inquiry:verify")
UPLOAD = reverse("inquiry:verify_upload")
CAPTCHA = {"captcha_0": "x", "captcha_1": "PASSED"}
IP = "203.0.113.45"
OTHER_IP = "198.51.100.7"
MB = 1024 * 1024


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def make_certificate(member, *, pdf: bytes = b"%PDF-1.7 not a real certificate", **fields) -> tuple[Certificate, str]:
    """A certificate row as issuing stores it (without rendering and signing:
    what /verify/ reads is the row), and its code."""
    code = codes.code_generate()
    issued_at = timezone.now().replace(microsecond=0)
    values = {
        "member": member,
        "kind": Certificate.Kind.DEPOSIT,
        "title": "缴存证明",
        "purpose": Certificate.Purpose.LOAN,
        "code_hash": code_digest(code),
        "code_hint": codes.code_hint(code),
        "form_token": uuid.uuid4(),
        "facts": [["姓名", member.name], ["身份证号", mask_id_number(member.id_number)]],
        "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
        "pdf_size": len(pdf),
        "issued_at": issued_at,
        "valid_until": issued_at + timedelta(days=30),
        **fields,
    }
    certificate = Certificate.objects.create(**values)
    CertificatePDF.objects.create(certificate=certificate, data=pdf)
    return certificate, code


def issue(member_client) -> tuple[Certificate, str]:
    """A 缴存证明 issued on 我的证明 (rendered, signed, stored) and the code
    printed on it, read off the PDF as a verifier would."""
    response = member_client.post(
        reverse("inquiry:certificate_deposit"), {"form_token": str(uuid.uuid4()), "purpose": "loan"}
    )
    assert response.status_code == HTTPStatus.FOUND
    certificate = Certificate.objects.order_by("-id").first()
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(bytes(certificate.document.data))).pages)
    code = codes.code_normalize(text.replace(" ", "").split("核验码:")[1][:24])
    assert code is not None
    return certificate, code


def post_code(client, code: str, *, ip: str = IP, captcha: bool = False, **headers):
    return client.post(VERIFY, {"code": code, **(CAPTCHA if captcha else {})}, REMOTE_ADDR=ip, **headers)


def upload(client, code: str, content: bytes | None, *, name: str = "证明.pdf", ip: str = IP):
    data = {"code": code}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(UPLOAD, data, REMOTE_ADDR=ip)


def wrong_code() -> str:
    return codes.code_generate()


def failures(ip: str = IP) -> int:
    row = VerifyThrottle.objects.filter(key=throttle._key(ip)).first()
    return row.failures if row else 0


def html(response) -> str:
    return response.content.decode()


def without_token(response) -> str:
    """The page without what its header switch says about this one request: its
    CSRF token (masked afresh each time) and the address it returns to."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html(response))
    return re.sub(r'name="next" value="[^"]*"', 'name="next"', page)


def asks_captcha(response) -> bool:
    return 'name="captcha_1"' in html(response)


def spend(client, n: int, *, ip: str = IP) -> list:
    """`n` wrong codes from `ip`, each with the captcha when the page asks for one."""
    responses, captcha = [], False
    for _ in range(n):
        response = post_code(client, wrong_code(), ip=ip, captcha=captcha)
        responses.append(response)
        captcha = asks_captcha(response)
    return responses


# --- What a verifier sees and what is recorded --------------------------------


def test_verify_page_is_public_chinese_and_never_cached(client):
    response = client.get(VERIFY)
    assert response.status_code == HTTPStatus.OK
    page = html(response)
    assert "证明核验" in page and 'method="post"' in page and 'name="code"' in page
    assert not asks_captcha(response)
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    # The QR code's address: the code in the fragment, which no browser sends.
    address = rendering.verify_url("K7QF-3MZP-9HXT-2WDC-R5NA")
    assert address.endswith("/verify/#K7QF-3MZP-9HXT-2WDC-R5NA") and "?" not in address


def test_verify_by_code_shows_what_the_certificate_says_and_records_the_look(
    client, member_client, member, center_signer
):
    certificate, code = issue(member_client)
    # As a verifier may type it: lower case, spaces for dashes.
    typed = " ".join(codes.code_display(code).lower().split("-"))

    response = post_code(Client(), typed)

    assert response.status_code == HTTPStatus.OK
    page = html(response)
    assert "no-store" in response["Cache-Control"]
    assert "缴存证明:<strong>有效</strong>" in page
    assert member.name in page and mask_id_number(member.id_number) in page and member.id_number not in page
    issued = timezone.localtime(certificate.issued_at)
    until = timezone.localtime(certificate.valid_until)
    assert f"<dt>签发时间</dt><dd>{issued:%Y-%m-%d %H:%M}</dd>" in page
    assert f"<dt>有效期至</dt><dd>{until:%Y-%m-%d %H:%M}</dd>" in page
    (look,) = CertificateVerification.objects.filter(certificate=certificate)
    assert (look.method, look.ip_masked, look.file_matches) == ("code", "203.0.113.*", None)
    certificate = Certificate.objects.with_verifications().get(pk=certificate.pk)
    assert certificate.verify_count == 1 and certificate.last_verified_at == look.verified_at
    assert failures() == 0

    post_code(Client(), code, ip=OTHER_IP)
    certificate = Certificate.objects.with_verifications().get(pk=certificate.pk)
    assert certificate.verify_count == 2
    # 我的证明 shows the member how often and when it was checked.
    mine = html(member_client.get(reverse("inquiry:certificates")))
    assert 'data-testid="verify-count">2</td>' in mine
    assert f"{timezone.localtime(certificate.last_verified_at):%Y-%m-%d %H:%M}" in mine


def test_a_voided_certificate_says_so_without_the_reason(client, member):
    by_member, member_code = make_certificate(member)
    services.certificate_void(certificate=by_member)
    by_staff, staff_code = make_certificate(member)
    services.certificate_void(certificate=by_staff, reason="单位申请撤回XQ7")

    for code, reason in ((member_code, services.VOID_REASON_BY_MEMBER), (staff_code, "单位申请撤回XQ7")):
        page = html(post_code(client, code))
        assert "缴存证明:<strong>已作废</strong>" in page and "不能作为有效证明使用" in page
        assert reason not in page
        # Nothing left to compare a file with: no upload form, a way back.
        assert 'data-testid="upload-form"' not in page and f'href="{VERIFY}"' in page
    # A look at a voided certificate is still a look (the member sees it was checked).
    assert CertificateVerification.objects.count() == 2 and failures() == 0


def test_an_expired_certificate_says_so(client, member, clock):
    certificate, code = make_certificate(member)
    clock.advance(days=30)
    page = html(post_code(client, code))
    assert "缴存证明:<strong>已过期</strong>" in page and "已超过有效期" in page
    clock.advance(seconds=-1)
    assert "缴存证明:<strong>有效</strong>" in html(post_code(client, code))


def test_an_empty_code_is_asked_for_and_not_counted(client):
    response = post_code(client, "   ")
    assert response.status_code == HTTPStatus.OK and forms.CODE_REQUIRED in html(response)
    assert failures() == 0


def test_the_upload_page_redirects_a_get_to_the_form(client):
    response = client.get(UPLOAD)
    assert response.status_code == HTTPStatus.FOUND and response.url == VERIFY


# --- Limits -------------------------------------------------------------------


def test_wrong_and_malformed_codes_answer_alike_count_alike_and_cost_alike(client, member, settings):
    settings.INQUIRY_VERIFY_FREE_FAILURES = 100
    make_certificate(member)
    unknown = wrong_code()
    malformed = ["ABC", "0" * 20, unknown[:-1], unknown + "2", "K" * 5000, "核验码", "<script>"]
    answers = set()
    for typed in [unknown, *malformed]:
        response = post_code(client, typed)
        assert response.status_code == HTTPStatus.OK
        errors = re.findall(r'data-testid="code-error">([^<]*)<', html(response))
        answers.add(tuple(errors))
    assert answers == {(views.WRONG_CODE,)}
    assert failures() == 1 + len(malformed)

    # The same statements, whether the code could be one or not (values aside).
    def statements(typed):
        with CaptureQueriesContext(connection) as queries:
            post_code(client, typed)
        return [re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+(\.\d+)?\b", "?", q["sql"]) for q in queries.captured_queries]

    assert statements(wrong_code()) == statements("ABC")


def test_ten_wrong_codes_then_every_try_needs_a_captcha(client, member):
    certificate, code = make_certificate(member)
    responses = spend(client, 10)
    assert not any(asks_captcha(r) for r in responses[:9])
    assert asks_captcha(responses[9]) and failures() == 10
    assert asks_captcha(client.get(VERIFY, REMOTE_ADDR=IP))

    # Without the captcha, or with a wrong one: asked again, nothing looked up or counted,
    # the right code exactly like a wrong one.
    for typed, captcha in ((wrong_code(), {}), (code, {}), (code, {"captcha_0": "x", "captcha_1": "WRONG"})):
        response = client.post(VERIFY, {"code": typed, **captcha}, REMOTE_ADDR=IP)
        assert response.status_code == HTTPStatus.OK and asks_captcha(response)
        assert "验证码" in html(response) and "证明核验结果" not in html(response)
    assert failures() == 10 and not CertificateVerification.objects.exists()

    # With the captcha a wrong code still counts; a right one is shown.
    response = post_code(client, wrong_code(), captcha=True)
    assert views.WRONG_CODE in html(response) and asks_captcha(response) and failures() == 11
    response = post_code(client, code, captcha=True)
    assert "证明核验结果" in html(response) and failures() == 11
    certificate = Certificate.objects.with_verifications().get(pk=certificate.pk)
    assert certificate.verify_count == 1


def test_at_thirty_wrong_codes_the_answer_is_429_even_for_the_right_code(client, member):
    certificate, code = make_certificate(member)
    responses = spend(client, 30)
    assert all(r.status_code == HTTPStatus.OK for r in responses[:29])
    blocked = responses[29]
    assert blocked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 3590 <= int(blocked["Retry-After"]) <= 3600
    assert "输入错误核验码的次数过多,请60分钟后再核验" in html(blocked)
    assert failures() == 30

    for response in (
        client.get(VERIFY, REMOTE_ADDR=IP),
        post_code(client, code),
        post_code(client, code, captcha=True),
        post_code(client, wrong_code(), captcha=True),
        upload(client, code, bytes(certificate.document.data)),
    ):
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS and "Retry-After" in response
        # The same page but for the header switch's token and return address.
        assert without_token(response) == without_token(blocked)
    # Refused tries are not looked up, so neither counted nor recorded.
    assert failures() == 30 and not CertificateVerification.objects.exists()


def test_the_limit_ends_with_the_hour_of_the_first_wrong_code(client, clock):
    spend(client, 1)
    clock.advance(minutes=30)
    spend(client, 29)
    response = client.get(VERIFY, REMOTE_ADDR=IP)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS and int(response["Retry-After"]) == 30 * 60
    clock.advance(minutes=29, seconds=59)
    response = client.get(VERIFY, REMOTE_ADDR=IP)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS and response["Retry-After"] == "1"

    clock.advance(seconds=1)
    response = client.get(VERIFY, REMOTE_ADDR=IP)
    assert response.status_code == HTTPStatus.OK and not asks_captcha(response)
    spend(client, 1)
    assert failures() == 1  # a new hour, from this wrong code
    row = VerifyThrottle.objects.get()
    assert row.window_started_at == clock.now


def test_a_right_code_does_not_reset_the_count(client, member):
    _certificate, code = make_certificate(member)
    spend(client, 5)
    assert "证明核验结果" in html(post_code(client, code))
    assert failures() == 5


def test_two_addresses_have_their_own_limits(client):
    spend(client, 30)
    assert client.get(VERIFY, REMOTE_ADDR=IP).status_code == HTTPStatus.TOO_MANY_REQUESTS
    response = client.get(VERIFY, REMOTE_ADDR=OTHER_IP)
    assert response.status_code == HTTPStatus.OK and not asks_captcha(response)
    spend(client, 1, ip=OTHER_IP)
    assert (failures(), failures(OTHER_IP)) == (30, 1)


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(client, member, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    # Not through our proxy: a header of one's own choosing changes nothing.
    for n in range(30):
        post_code(client, wrong_code(), ip=OTHER_IP, captcha=n >= 10, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert failures(OTHER_IP) == 30
    assert post_code(client, wrong_code(), ip=OTHER_IP).status_code == HTTPStatus.TOO_MANY_REQUESTS

    # Through it: the address the proxy saw counts, each on its own.
    spend_from = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(30):
        post_code(client, wrong_code(), ip="127.0.0.1", captcha=True, **spend_from)
    assert failures("203.0.113.9") == 30 and failures("127.0.0.1") == 0
    _certificate, code = make_certificate(member)
    response = post_code(client, code, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert "证明核验结果" in html(response)
    assert CertificateVerification.objects.get().ip_masked == "203.0.113.*"


def test_ten_thousand_random_codes_find_nothing_and_are_cut_off(client, member):
    issued = dict(make_certificate(member)[::-1] for _ in range(5))
    guesses = [codes.code_generate() for _ in range(10_000)]
    assert len(set(guesses)) == 10_000 and not set(guesses) & set(issued)

    # All 10,000 in one look at the stored digests: none is a certificate's,
    # while the issued codes are found the same way.
    assert not Certificate.objects.filter(code_hash__in=[code_digest(g) for g in guesses]).exists()
    assert Certificate.objects.filter(code_hash__in=[code_digest(c) for c in issued]).count() == 5

    # Through /verify/, as a guesser would: cut off at the 30th.
    statuses, captcha = [], False
    for guess in guesses[:300]:
        response = post_code(client, guess, captcha=captcha)
        statuses.append(response.status_code)
        captcha = asks_captcha(response)
    assert statuses[:29] == [HTTPStatus.OK] * 29
    assert statuses[29:] == [HTTPStatus.TOO_MANY_REQUESTS] * 271
    assert failures() == 30 and not CertificateVerification.objects.exists()


def test_a_try_that_owes_a_captcha_is_refused_under_the_lock(member):
    """The page was shown without a captcha, but the count passed the free
    tries meanwhile (other requests of the client): not looked up, not counted."""
    _certificate, code = make_certificate(member)
    for _ in range(10):
        throttle.verify_attempt(ip=IP, captcha_solved=lambda: True, lookup=lambda: None)
    looked = []
    attempt = throttle.verify_attempt(ip=IP, captcha_solved=lambda: False, lookup=lambda: looked.append(1))
    assert attempt.refused and attempt.gate.captcha and attempt.found is None and not looked
    assert failures() == 10


def test_verify_throttles_prune_deletes_ended_hours_and_is_scheduled_daily(settings, clock):
    from zzgjj_portal.celery import app

    throttle.verify_attempt(ip=IP, captcha_solved=lambda: False, lookup=lambda: None)
    clock.advance(minutes=59)
    throttle.verify_attempt(ip=OTHER_IP, captcha_solved=lambda: False, lookup=lambda: None)
    clock.advance(minutes=1)
    assert jobs.verify_throttles_prune_job() == 1
    assert list(VerifyThrottle.objects.values_list("key", flat=True)) == [throttle._key(OTHER_IP)]
    assert jobs.verify_throttles_prune_job() == 0

    entry = settings.CELERY_BEAT_SCHEDULE["verify-throttles-prune"]
    assert entry["task"] == jobs.verify_throttles_prune_job.name and jobs.verify_throttles_prune_job.name in app.tasks
    # Once a day (a crontab with one hour and one minute).
    assert len(entry["schedule"].hour) == 1 and len(entry["schedule"].minute) == 1


# --- Concurrency on PostgreSQL --------------------------------------------------


def together(calls) -> list:
    """Run each call in its own thread (own connection), released at one instant."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test looks at whatever happened
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_simultaneous_wrong_codes_are_each_counted_and_none_passes_the_limit(settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    settings.INQUIRY_VERIFY_FREE_FAILURES = 100  # no captcha in the way: the count alone
    calls = [lambda: post_code(Client(), wrong_code()).status_code for _ in range(40)]
    statuses = together(calls)
    assert sorted(statuses) == [HTTPStatus.OK] * 29 + [HTTPStatus.TOO_MANY_REQUESTS] * 11, statuses
    assert failures() == 30


@pytest.mark.django_db(transaction=True)
def test_simultaneous_looks_at_one_certificate_all_count(settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    certificate, code = make_certificate(MemberFactory())
    statuses = together([lambda n=n: post_code(Client(), code, ip=f"203.0.113.{n}").status_code for n in range(12)])
    assert statuses == [HTTPStatus.OK] * 12
    certificate = Certificate.objects.with_verifications().get(pk=certificate.pk)
    assert certificate.verify_count == 12 == CertificateVerification.objects.count()


# --- Uploads ------------------------------------------------------------------


def test_upload_of_the_issued_file_matches_and_of_a_changed_one_does_not(client, member_client, center_signer):
    from zzgjj_portal import signing
    from zzgjj_portal.tests.test_signing import validate

    certificate, code = issue(member_client)
    pdf = bytes(member_client.get(reverse("inquiry:certificate_pdf", args=[certificate.pk])).content)
    _embedded, status = validate(pdf, signing.signer().signing_cert)
    assert status.intact and status.bottom_line

    response = upload(client, code, pdf)
    assert response.status_code == HTTPStatus.OK and "no-store" in response["Cache-Control"]
    assert 'data-testid="file-result">文件与签发记录一致<' in html(response)
    assert "缴存证明:<strong>有效</strong>" in html(response)

    # One byte of the first content stream, inside the signed range.
    at = pdf.index(b"stream\n") + len(b"stream\n") + 5
    tampered = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    response = upload(client, code, tampered)
    assert 'data-testid="file-result">文件与签发记录不一致<' in html(response)
    assert "不是签发时的原件,或已被改动过" in html(response)
    _embedded, status = validate(tampered, signing.signer().signing_cert)
    assert not status.intact and not status.bottom_line

    looks = list(CertificateVerification.objects.order_by("id").values_list("method", "file_matches", "ip_masked"))
    assert looks == [("upload", True, "203.0.113.*"), ("upload", False, "203.0.113.*")]
    certificate = Certificate.objects.with_verifications().get(pk=certificate.pk)
    assert certificate.verify_count == 2


def test_upload_of_any_other_file_simply_differs(client, member):
    _certificate, code = make_certificate(member, pdf=b"%PDF-1.7 issued")
    for content, name in ((b"GIF89a not a pdf", "photo.gif"), (b"\x00\xff" * 100, "证明.pdf"), (b"%PDF-1.7", "a.pdf")):
        response = upload(client, code, content, name=name)
        assert response.status_code == HTTPStatus.OK
        assert 'data-testid="file-result">文件与签发记录不一致<' in html(response)
    assert list(CertificateVerification.objects.values_list("file_matches", flat=True)) == [False] * 3


def test_upload_up_to_five_megabytes_is_compared_and_a_bigger_one_refused(client, member):
    five = b"%PDF-1.7\n" + b"0" * (5 * MB - 9)
    _certificate, code = make_certificate(member, pdf=five)
    assert 'data-testid="file-result">文件与签发记录一致<' in html(upload(client, code, five))
    assert CertificateVerification.objects.count() == 1

    for size in (5 * MB + 1, 6 * MB + 512 * 1024):
        response = upload(client, code, five + b"0" * (size - len(five)))
        assert response.status_code == HTTPStatus.OK
        assert 'data-testid="file-error">文件不能超过5MB<' in html(response)
        # The form again, with the code kept, to choose another file; no facts shown.
        assert f'value="{code}"' in html(response) and "证明核验结果" not in html(response)
    assert CertificateVerification.objects.count() == 1 and failures() == 0


def test_upload_without_a_file_or_with_an_empty_one_asks_for_it(client, member):
    certificate, code = make_certificate(member)
    for content, message in ((None, forms.FILE_REQUIRED), (b"", forms.FILE_EMPTY)):
        response = upload(client, code, content)
        assert response.status_code == HTTPStatus.OK
        assert f'data-testid="file-error">{message}<' in html(response)
        assert 'enctype="multipart/form-data"' in html(response)
    assert not CertificateVerification.objects.exists() and failures() == 0


def test_upload_with_a_wrong_code_is_a_wrong_code(client, member):
    certificate, _code = make_certificate(member)
    response = upload(client, wrong_code(), bytes(certificate.document.data))
    assert views.WRONG_CODE in html(response) and failures() == 1
    assert not CertificateVerification.objects.exists()


def test_nginx_lets_the_upload_through_and_nothing_else_that_big(settings):
    from zzgjj_portal.tests.test_leaks import DEPLOY, _nginx_tree, _nginx_walk

    tree = _nginx_tree((DEPLOY / "nginx-zzgjj.conf").read_text())
    limits = {
        " / ".join(" ".join(words) for words, _ in parents): words[1]
        for words, _children, parents in _nginx_walk(tree)
        if words[:1] == ["client_max_body_size"]
    }
    assert limits == {"server": "1m", "server / location = /verify/file/": "6m"}
    # Django sees every file up to its limit and more (refused in Chinese), with room for the form.
    assert int(limits["server / location = /verify/file/"].removesuffix("m")) * MB >= (
        settings.INQUIRY_VERIFY_UPLOAD_MAX_BYTES + 64 * 1024
    )
    (location,) = [c for w, c, _ in _nginx_walk(tree) if w == ["location", "=", "/verify/file/"]]
    assert [w for w, _ in location if w[0] == "proxy_pass"] == [["proxy_pass", "http://zzgjj_pages"]]


# --- Nothing of a code in URLs or logs ------------------------------------------


def test_no_log_line_and_no_sql_holds_a_code(client, member, caplog):
    certificate, code = make_certificate(member)
    wrong = wrong_code()
    forms_of = lambda c: {c, codes.code_display(c), codes.code_display(c).lower(), c.lower()}  # noqa: E731
    secrets_ = forms_of(code) | forms_of(wrong)
    connection.force_debug_cursor = True  # log every SQL statement (django.db.backends, DEBUG)
    try:
        # Every level of every logger: the root's and Django's own (INFO by default).
        with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="django"):
            client.get(VERIFY, REMOTE_ADDR=IP)
            post_code(client, codes.code_display(code).lower())
            upload(client, code, bytes(certificate.document.data))
            upload(client, code, b"", name="empty.pdf")
            post_code(client, wrong)
            spend(client, 29)
            post_code(client, code, captcha=True)  # 429
            post_code(client, wrong)  # 429
            client.post(VERIFY, {"code": code}, REMOTE_ADDR=IP, HTTP_X_FORWARDED_FOR=wrong)
    finally:
        connection.force_debug_cursor = False
    records = caplog.records
    # The test sees what would be written: SQL, and Django's line for each 429.
    assert any(r.name == "django.db.backends" for r in records)
    assert any(r.name == "django.request" and "Too Many Requests: /verify/" in r.getMessage() for r in records)
    formatter = PortalJsonFormatter()
    for record in records:
        text = formatter.format(record) + record.getMessage() + repr(record.args) + repr(record.__dict__)
        leaked = [s for s in secrets_ if s in text]
        assert not leaked, (record.name, record.getMessage()[:300])


def test_a_code_is_in_no_url_of_the_pages(client, member):
    certificate, code = make_certificate(member)
    for response in (
        post_code(client, code),
        upload(client, code, bytes(certificate.document.data)),
        upload(client, code, b""),
    ):
        page = html(response)
        urls = re.findall(r'(?:href|action|src)="([^"]*)"', page)
        assert urls and not [u for u in urls if code in u or codes.code_display(code) in u]
        assert "Location" not in response
        # Only in the form field that carries it on, in a POST body.
        assert page.count(code) == 1 and re.search(rf'<input[^>]*name="code"[^>]*value="{code}"', page)


def test_the_code_is_kept_out_of_django_error_reports(client, member, monkeypatch):
    from django.views.debug import SafeExceptionReporterFilter

    def failing(typed):
        raise RuntimeError("lookup failed")

    monkeypatch.setattr(views.selectors, "certificate_by_code", failing)
    client.raise_request_exception = False
    _certificate, code = make_certificate(member)
    response = post_code(client, code)
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    # What the error e-mail or debug page would list of the POST.
    shown = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    assert shown["code"] != code and code not in str(shown)


def test_a_look_is_one_insert_and_leaves_the_members_pages_cached(client, member):
    """A stranger's look must not raise the member's data version (the key of
    their cached pages): the counts are read from the log, nothing is updated."""
    certificate, code = make_certificate(member)
    post_code(client, code)  # the client's first try makes its counter row
    member.refresh_from_db()
    version = member.data_version
    with CaptureQueriesContext(connection) as queries:
        response = post_code(client, code)
    assert "证明核验结果" in html(response)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1 and writes[0].replace('"', "").startswith("INSERT INTO inquiry_certificateverification ")
    member.refresh_from_db()
    assert member.data_version == version
    assert Certificate.objects.with_verifications().get(pk=certificate.pk).verify_count == 2
