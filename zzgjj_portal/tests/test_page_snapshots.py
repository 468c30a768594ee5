"""Every page members and visitors see, byte for byte, against stored HTML.

The files in snapshots/ are the pages as the portal renders them for a fixed
data set (seed_demo as of AS_OF, a few applications and messages made here) on
a fixed day (NOW): any change to a template, a filter or the engine that
renders them shows up as a difference. A change meant to alter a page
regenerates them (then read the diff before committing it):

    SNAPSHOT_UPDATE=1 .venv/bin/python -m pytest zzgjj_portal/tests/test_page_snapshots.py

Only what differs from one request to the next is replaced before comparing
(see NORMALISE): CSRF tokens, the captcha's key and the forms' one-time tokens.
Everything else, ids included, is the same on every run: row ids start again
from the same number (see _restart_ids), whatever ran before.
"""

import difflib
import os
import re
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from captcha.conf import settings as captcha_settings
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.shortcuts import render
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from django.views import csrf, defaults

from accounts import flows
from accounts.models import User
from accounts.tests.conftest import Clock
from inquiry.certificates.codes import code_hint
from inquiry.certificates.digest import code_digest
from inquiry.certificates.documents import deposit_document
from inquiry.demo import UNREGISTERED_ID_NUMBER, UNREGISTERED_NAME, build_members
from inquiry.models import Certificate, FundAccount, LoanContract, Member
from tasks.models import Application, Decision
from tasks.services import applications as application_services
from tasks.services import message_send
from tasks.services.decisions import decisions_settle
from tasks.tests.conftest import staff_in
from zzgjj_portal.management.commands.seed_demo import seed

pytestmark = pytest.mark.django_db

SNAPSHOTS = Path(__file__).parent / "snapshots"
SPEECH_PROGRAM = Path(__file__).parents[1] / "captcha_speech.py"
UPDATE = os.environ.get("SNAPSHOT_UPDATE") == "1"

AS_OF = date(2026, 4, 30)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 20, 10, 30, tzinfo=SHANGHAI)
SEED_MEMBERS = 14  # the two named demo members and the first 12 rows of inquiry/demo/cases.py

# What changes from one request to the next, replaced by a fixed word. Nothing
# else may be: a difference anywhere else is a difference in the page.
NORMALISE = [
    # CSRF tokens are masked afresh for every request.
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")'), r"\1CSRF\2"),
    # Each captcha gets a random key: its hidden field and its image's URL.
    (re.compile(r'(name="captcha_0" value=")[0-9a-f]+(")'), r"\1CAPTCHA\2"),
    (re.compile(r"(/captcha/image/)[0-9a-f]+(/)"), r"\1CAPTCHA\2"),
    (re.compile(r"(/captcha/audio/)[0-9a-f]+(\.wav)"), r"\1CAPTCHA\2"),
    # The application forms' one-time token (a new uuid4 for every form shown).
    (re.compile(r'(name="form_token" value=")[0-9a-f-]{36}(")'), r"\1TOKEN\2"),
]
# Posted as the form token where a page is the answer to a POST.
FORM_TOKEN = str(uuid.UUID(int=1))


@pytest.fixture(autouse=True)
def _spoken_captcha_offered(monkeypatch):
    """The pages offer the 语音验证码 whether or not this machine has espeak-ng
    (settings drop it without), so the snapshots are the same everywhere."""
    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", str(SPEECH_PROGRAM))


def normalise(html: str) -> str:
    for pattern, replacement in NORMALISE:
        html = pattern.sub(replacement, html)
    return html


def _restart_ids() -> None:
    """Make every table's next id max(id) + 1 (1 for an empty one), as on a
    fresh database: ids are in the pages (messages, applications, the user),
    and earlier tests' rolled-back rows (PostgreSQL) or committed-then-flushed
    rows (SQLite, browser tests) leave the counters further on."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_sequence")
            for (table,) in cursor.fetchall():
                quoted = connection.ops.quote_name(table)
                cursor.execute(
                    # The table names come from sqlite_sequence itself, quoted.
                    f"UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX(rowid), 0) FROM {quoted}) WHERE name = %s",  # noqa: S608
                    [table],
                )
        else:  # pragma: no cover - the suite runs on SQLite and PostgreSQL
            raise NotImplementedError(connection.vendor)


def _approve_all(application: Application, staff: list) -> None:
    for actor, step in zip(staff, ["accept", "review", "approve"], strict=True):
        application_services.application_step_approve(application_id=application.pk, step=step, actor=actor)


def _world(clock: Clock) -> dict:
    """Seed the demo set and add what it lacks: applications in every state,
    messages whose text needs escaping, a member whose figures are being
    reconciled (数据核对中). Returns the users whose pages are compared."""
    specs = build_members(AS_OF, count=SEED_MEMBERS)
    seed(specs, as_of=AS_OF)
    case = {i: specs[2 + i].id_number for i in range(SEED_MEMBERS - 2)}
    people = {
        "wang": specs[0].id_number,  # 王晓明: 14 years, a settled and a running loan, messages
        "no_loan": case[1],  # withdrawals, no loan
        "applied": case[4],  # no reserved phone, a loan not yet disbursed (未发放)
        "closed": case[7],  # 销户
        "checking": case[10],  # a running loan; account and loan set 数据核对中 below
    }
    users = {who: User.objects.get(member__id_number=number) for who, number in people.items()}
    wang, no_loan = users["wang"].member, users["no_loan"].member

    checking = users["checking"].member
    FundAccount.objects.filter(member=checking).update(discrepancy=True)
    LoanContract.objects.filter(member=checking).update(discrepancy=True)

    # Hall staff, one per step (four eyes), with names members read as 审批人.
    staff = [
        staff_in("受理员", username="snap-accept", name="张受理"),
        staff_in("审核员", username="snap-review", name="李审核"),
        staff_in("审批员", username="snap-approve", name="王审批"),
    ]
    clock.now = NOW - timedelta(days=12, hours=3)
    loan_repayment = Application.WithdrawalKind.LOAN_REPAYMENT

    def withdraw(member: Member, amount: str, kind=loan_repayment) -> Application:
        clock.now += timedelta(hours=26, minutes=7)
        return application_services.withdrawal_submit(
            member=member, withdrawal_kind=kind, amount=Decimal(amount), form_token=uuid.uuid4()
        ).application

    # 已办结, 待入账 (counted against the balance until the core books it).
    booked = withdraw(wang, "1000.00")
    _approve_all(booked, staff)
    # 已办结, 入账失败 with the core's reason.
    failed = withdraw(wang, "500.00")
    _approve_all(failed, staff)
    clock.now += timedelta(hours=2)
    serial = Decision.objects.get(application=failed).serial_no
    decisions_settle(booked=[], refused={serial: '户名与账号不符("6217…"),请到<柜台>核对 & 更正'})
    # 未通过 at 受理, with an opinion that needs escaping.
    rejected = withdraw(wang, "800.00")
    clock.now += timedelta(hours=1)
    application_services.application_step_reject(
        application_id=rejected.pk, step="accept", actor=staff[0], opinion="材料不全:'租房合同'缺\"备案\"页 & <签章>"
    )
    # 办理中 at 审核: 受理 done.
    in_review = withdraw(wang, "300.00")
    clock.now += timedelta(minutes=40)
    application_services.application_step_approve(application_id=in_review.pk, step="accept", actor=staff[0])

    # A member with no loan applies for one (办理中 at 受理) and withdraws another (已撤回).
    def apply_loan(amount: str, term: int) -> Application:
        clock.now += timedelta(hours=5)
        return application_services.loan_submit(
            member=no_loan,
            amount=Decimal(amount),
            term_years=term,
            repayment_method="equal_installment",
            property_address="枣庄市市中区光明路18号3单元502室",
            property_price=Decimal("860000.00"),
            co_borrower_name="赵丽",
            co_borrower_id_number="370402199205061224",
            form_token=uuid.uuid4(),
        ).application

    withdrawn = apply_loan("300000.00", 15)
    clock.now += timedelta(minutes=30)
    application_services.application_withdraw(member=no_loan, pk=withdrawn.pk)
    apply_loan("450000.00", 10)

    # Messages whose text needs escaping in the table, the dialog's data-*
    # attributes and the detail page; one longer than the table shows.
    clock.now = NOW - timedelta(hours=2)
    tricky = "请于'5月31日'前到\"服务大厅\"核对 <缴存基数> & 单位信息。"
    message_send(member=wang, business="系统通知<测试>", content=tricky)
    clock.now = NOW - timedelta(hours=1)
    message_send(
        member=wang,
        business="缴存基数调整",
        content="根据枣庄市住房公积金管理委员会决定,自2026年7月1日起调整住房公积金缴存基数上下限,"
        "请您关注单位的缴存基数申报情况,如有疑问请联系单位经办人或拨打服务热线12329。",
    )
    clock.now = NOW
    return {"users": users, "specs": specs}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The data set, made once for the module and rolled back after it (as
    test_seed_demo does); `timezone.now()` stays at NOW for the whole module."""
    clock = Clock(NOW)
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with (
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        transaction.atomic(),
        fast_hashing,
    ):
        patch.setattr(timezone, "now", clock)
        _restart_ids()
        data = _world(clock)
        clock.now = NOW
        yield data
        transaction.set_rollback(True)


class Pages:
    """Collects the pages of one folder and compares them with the files."""

    def __init__(self, folder: str):
        self.folder = SNAPSHOTS / folder
        self.seen: set[str] = set()
        self.different: list[str] = []

    def check(self, name: str, html: str) -> None:
        assert name not in self.seen, name
        self.seen.add(name)
        html = normalise(html)
        path = self.folder / f"{name}.html"
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(html.encode())
            return
        expected = path.read_bytes().decode() if path.exists() else None
        if expected != html:
            diff = difflib.unified_diff(
                (expected or "").splitlines(keepends=True), html.splitlines(keepends=True), str(path), "rendered", n=2
            )
            self.different.append("".join(list(diff)[:60]))

    def response(self, name: str, response, status: int = 200) -> None:
        assert response.status_code == status, (name, response.status_code, response.get("Location"))
        self.check(name, response.content.decode())

    def verify(self) -> None:
        if UPDATE:
            for stale in set(self.folder.glob("*.html")) - {self.folder / f"{n}.html" for n in self.seen}:
                stale.unlink()
            return
        stored = {p.stem for p in self.folder.glob("*.html")}
        assert stored <= self.seen, f"snapshots no test renders any more: {sorted(stored - self.seen)}"
        assert not self.different, "pages differ from their snapshots:\n" + "\n".join(self.different)


@pytest.fixture
def plan_prints(monkeypatch):
    """The HTML of the plan's 打印 instead of its PDF (WeasyPrint draws it
    from exactly this string)."""
    from inquiry import printing

    printed = []

    class Recorder:
        def __init__(self, *, string, **kwargs):
            printed.append(string)

        def write_pdf(self):
            return b"%PDF-1.7 snapshot"

    monkeypatch.setattr(printing, "PlanHTML", Recorder)
    return printed


MEMBERS = ["wang", "no_loan", "applied", "closed", "checking"]


@pytest.mark.parametrize("who", MEMBERS)
def test_member_pages_match_their_snapshots(world, who, plan_prints):
    user = world["users"][who]
    member = user.member
    client = Client()
    client.force_login(user)
    pages = Pages(who)
    get = client.get

    pages.response("home", get("/home/"))
    pages.response("info", get("/info/"))
    pages.response("ledger", get("/ledger/"))
    thirty_years = {"start": "1996-05-21", "end": "2026-05-20"}
    pages.response("ledger_30_years", get("/ledger/", thirty_years))
    pages.response("ledger_30_years_page_2", get("/ledger/", {**thirty_years, "page": 2}))
    pages.response("ledger_bad_dates", get("/ledger/", {"start": "2026-05-20", "end": "2025-13-01"}))

    loans = list(LoanContract.objects.filter(member=member).order_by("contract_no"))
    for path, name in [
        ("/loans/progress/", "progress"),
        ("/loans/info/", "loan_info"),
        ("/loans/repayments/", "repayments"),
        ("/loans/plan/", "plan"),
        ("/loans/prepay/", "prepay"),
    ]:
        pages.response(name, get(path))
        for n, loan in enumerate(loans):
            pages.response(f"{name}_contract_{n}", get(path, {"contract": loan.contract_no}))
    for n, loan in enumerate(loans):
        a_year = {"contract": loan.contract_no, "start": "2025-01-01", "end": "2025-12-31"}
        pages.response(f"repayments_2025_contract_{n}", get("/loans/repayments/", a_year))
        four_years = {**a_year, "end": "2028-12-31", "page": 2}
        pages.response(f"plan_2025_2028_page_2_contract_{n}", get("/loans/plan/", four_years))
        for mode in ("shorten", "reduce", "settle"):
            trial = {"contract": loan.contract_no, "mode": mode, "amount": "10000"}
            pages.response(f"prepay_{mode}_contract_{n}", get("/loans/prepay/", trial))
        bad_trial = {"contract": loan.contract_no, "mode": "reduce", "amount": "1.005"}
        pages.response(f"prepay_invalid_contract_{n}", get("/loans/prepay/", bad_trial))
        before = len(plan_prints)
        response = get("/loans/plan/print/", {"contract": loan.contract_no})
        if len(plan_prints) > before:
            assert response["Content-Type"] == "application/pdf"
            pages.check(f"plan_print_contract_{n}", plan_prints[-1])
        else:
            pages.response(f"plan_print_contract_{n}", response)

    pages.response("messages", get("/messages/"))
    pages.response("messages_read", get("/messages/read/"))
    for n, message in enumerate(member.messages.order_by("sent_at", "pk")):
        pages.response(f"message_{n}", get(f"/messages/{message.pk}/", {"next": "/home/"}))
        pages.response(f"message_{n}_delete", get(f"/messages/{message.pk}/delete/", {"next": "/messages/read/"}))

    pages.response("applications", get("/applications/"))
    for n, application in enumerate(member.applications.order_by("submitted_at", "pk")):
        pages.response(f"application_{n}", get(f"/applications/{application.pk}/"))
        withdraw = get(f"/applications/{application.pk}/withdraw/")
        if withdraw.status_code == 200:
            pages.response(f"application_{n}_withdraw", withdraw)
    pages.response("withdrawal_apply", get("/applications/withdrawal/"))
    too_much = {"withdrawal_kind": "rent", "amount": "99999999.99", "form_token": FORM_TOKEN}
    pages.response("withdrawal_apply_refused", client.post("/applications/withdrawal/", too_much))
    pages.response("withdrawal_apply_invalid", client.post("/applications/withdrawal/", {"amount": "1.234"}))
    pages.response("loan_apply", get("/applications/loan/"))
    for method in ("equal_installment", "equal_principal"):
        trial = {"action": "trial", "amount": "300000", "term_years": "20", "repayment_method": method}
        pages.response(f"loan_trial_{method}", client.post("/applications/loan/", {**trial, "form_token": FORM_TOKEN}))
    bad_trial = {"action": "trial", "amount": "-1", "term_years": "99", "form_token": FORM_TOKEN}
    pages.response("loan_trial_invalid", client.post("/applications/loan/", bad_trial))
    pages.response("loan_apply_invalid", client.post("/applications/loan/", {"action": "submit", "amount": "x"}))

    # 我的证明: what each member can issue (the issued list is empty here).
    pages.response("certificates", get("/certificates/"))

    pages.response("password_change", get("/password/change/"))
    wrong = {"old_password": "wrong-password", "password1": "abc", "password2": "abd"}
    pages.response("password_change_invalid", client.post("/password/change/", wrong))
    pages.response("password_change_done", get("/password/change/done/"))
    pages.response("logout_confirm", get("/logout/"))
    pages.response("not_found", get("/no-such-page/"), status=404)
    pages.response("not_found_contract", get("/loans/info/", {"contract": "NOSUCHCONTRACT"}), status=404)
    pages.verify()


def test_visitor_pages_match_their_snapshots(world):
    client = Client()
    pages = Pages("visitor")
    captcha = {"captcha_0": "anything", "captcha_1": "PASSED"}
    wang = world["specs"][0]

    pages.response("login", client.get("/"))
    pages.response("login_next", client.get("/", {"next": "/ledger/?start=2026-01-01&end=2026-05-20"}))
    wrong = {"identifier": wang.id_number, "password": "wrong'\"<&>", "next": "/home/", **captcha}
    pages.response("login_refused", client.post("/", wrong))
    pages.response("login_invalid", client.post("/", {"identifier": "", "password": ""}))

    for flow, url in [("register", "/register/"), ("forgot", "/password/forgot/")]:
        pages.response(f"{flow}", client.get(url))
        stranger = {"name": "路人甲", "id_number": "370402199001011238", **captcha}
        pages.response(f"{flow}_refused", client.post(url, stranger))
        pages.response(f"{flow}_invalid", client.post(url, {"name": "", "id_number": "12345"}))
    # 注册 of the member registered with the center but not online: the SMS step.
    unregistered = {"name": UNREGISTERED_NAME, "id_number": UNREGISTERED_ID_NUMBER, **captcha}
    response = client.post("/register/", unregistered)
    assert response.status_code == 302, response.content.decode()[:2000]
    pages.response("register_sms", client.get(response["Location"]))
    pages.response("register_sms_invalid", client.post(response["Location"], {"action": "verify", "code": "12"}))
    # The password step, as after a correct SMS code (the flow's progress in the session).
    session = client.session
    progress = dict(session[f"accounts_flow_{flows.REGISTER}"])
    session[f"accounts_flow_{flows.REGISTER}"] = {**progress, "step": flows.PASSWORD_STEP}
    session.save()
    pages.response("register_password", client.get("/register/password/"))
    weak = {"password1": "123", "password2": "1234"}
    pages.response("register_password_invalid", client.post("/register/password/", weak))
    pages.response("register_done", client.get("/register/done/"))
    pages.response("forgot_done", client.get("/password/forgot/done/"))

    # 证明核验: the form, a wrong code, an upload without a file, a certificate's facts
    # (a certificate of wang's account as issuing would store it, taken back afterwards).
    wrong_code = {"code": "ABCD-EFGH-JKMN-PQRS-TUVW"}
    pages.response("verify", client.get("/verify/"))
    pages.response("verify_wrong", client.post("/verify/", wrong_code))
    pages.response("verify_upload_no_file", client.post("/verify/file/", wrong_code))
    with transaction.atomic():
        code = "K7QF3MZP9HXT2WDCR5NA"
        member = Member.objects.get(id_number=wang.id_number)
        document = deposit_document(member=member, purpose="loan", today=NOW.date())
        Certificate.objects.create(
            member=member,
            kind=document.kind,
            title=document.title,
            purpose=document.purpose,
            code_hash=code_digest(code),
            code_hint=code_hint(code),
            form_token=uuid.UUID(int=2),
            facts=[list(fact) for fact in document.facts],
            pdf_sha256="0" * 64,
            issued_at=NOW,
            valid_until=NOW + timedelta(days=30),
        )
        pages.response("verify_result", client.post("/verify/", {"code": code}))
        transaction.set_rollback(True)
    pages.verify()


def test_error_pages_match_their_snapshots(world):
    """The error pages as Django's handlers render them, for a visitor and a
    member (each offers its own way back)."""
    from django.contrib.auth.models import AnonymousUser

    pages = Pages("errors")
    member = world["users"]["wang"]
    for who, user in [("visitor", AnonymousUser()), ("member", member)]:
        request = RequestFactory().get("/somewhere/")
        request.user = user
        pages.response(f"400_{who}", defaults.bad_request(request, Exception("bad")), status=400)
        pages.response(f"403_{who}", defaults.permission_denied(request, Exception("no")), status=403)
        pages.response(f"403_csrf_{who}", csrf.csrf_failure(request, reason="CSRF token missing."), status=403)
        pages.response(f"404_{who}", defaults.page_not_found(request, Exception("gone")), status=404)
        pages.response(f"500_{who}", defaults.server_error(request), status=500)
    # The 429 of too many captchas, as accounts.views.captcha_rate_limited answers it.
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    pages.response("429_visitor", render(request, "429.html", status=429), status=429)
    pages.verify()
