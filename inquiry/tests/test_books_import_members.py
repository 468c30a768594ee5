"""What books_import changes for the members: their phone (audited, told),
their sessions when the core closes their account, registration of new
members, the 贷款发放 message, 数据核对中 on their pages, and the data
versions of exactly the members whose records changed."""

from datetime import date

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts import flows, texts
from accounts import services as accounts_services
from accounts.tests.factories import MemberUserFactory
from conftest import MEMBER_PASSWORD
from inquiry.models import FundAccount, LoanContract, Member
from inquiry.tests import batches as b
from inquiry.tests.test_books_import import applied, base_tables
from tasks.models import Message
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(tmp_path):
    return applied(b.batch(tmp_path, 1, "full", **base_tables()))


def member_of(grzh: str) -> Member:
    return Member.objects.get(fund_account__account_no=grzh)


def request():
    return RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")


def test_books_import_phone_change_updates_the_login_phone_audited_and_told(base, tmp_path, run_jobs):
    member = member_of("G1")
    applied(b.batch(tmp_path, 2, GRXX=[b.person("G1", 1, phone="13911112222")]))
    member.refresh_from_db()
    assert member.phone == "13911112222"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PHONE_CHANGED, member=member)
    assert (event.actor, event.detail) == (None, "139****0001 → 139****2222(业务系统)")
    run_jobs()
    message = Message.objects.get(member=member)
    assert message.business == "预留手机号变更" and "139****2222" in message.content


def test_books_import_phones_may_change_hands_within_a_batch(base, tmp_path):
    applied(b.batch(tmp_path, 2, GRXX=[b.person("G1", 1, phone="13900000002"), b.person("G2", 2, phone="13900000001")]))
    assert (member_of("G1").phone, member_of("G2").phone) == ("13900000002", "13900000001")


def test_books_import_empty_phone_keeps_the_portals(base, tmp_path):
    applied(b.batch(tmp_path, 2, GRXX=[b.person("G1", 1, phone="")]))
    assert member_of("G1").phone == "13900000001"
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PHONE_CHANGED).exists()


def test_books_import_closing_an_account_ends_sessions_and_refuses_login(
    base, tmp_path, client, django_capture_on_commit_callbacks
):
    user = MemberUserFactory(member=member_of("G1"), password=MEMBER_PASSWORD)
    other = MemberUserFactory(member=member_of("G2"), password=MEMBER_PASSWORD)
    client.force_login(user)
    other_client = type(client)()
    other_client.force_login(other)
    assert client.get(reverse("inquiry:basic_info")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        applied(b.batch(tmp_path, 2, GRZHXX=[b.account("G1", "1800.00", status="05", XHRQ=date(2026, 2, 28))]))
    account = FundAccount.objects.get(account_no="G1")
    assert (account.status, account.closed_on) == ("05", date(2026, 2, 28))
    response = client.get(reverse("inquiry:basic_info"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert other_client.get(reverse("inquiry:basic_info")).status_code == 200
    with pytest.raises(accounts_services.Refusal) as refused:
        accounts_services.login_attempt(identifier=b.id_number(1), password=MEMBER_PASSWORD, request=request())
    assert (refused.value.code, refused.value.message) == ("closed", texts.CLOSED_NO_LOGIN)
    assert accounts_services.login_attempt(identifier=b.id_number(2), password=MEMBER_PASSWORD, request=request())


def test_books_import_new_member_can_register(base, tmp_path):
    applied(b.batch(tmp_path, 2, GRXX=[b.person("G5", 5, name="李新")], GRZHXX=[b.account("G5", "0.00")]))
    member = accounts_services.identity_verify(
        flow=flows.REGISTER, name="李新", id_number=b.id_number(5), request=request()
    )
    assert member.fund_account.account_no == "G5" and member.phone == "13900000005"


def test_books_import_disbursing_a_contract_tells_the_member(base, tmp_path, run_jobs):
    assert LoanContract.objects.get(contract_no="HT2").status == "not_disbursed"
    applied(b.batch(tmp_path, 2, DKZHXX=[b.loan_account("DK2", "HT2", "300000.00")]))
    loan = LoanContract.objects.get(contract_no="HT2")
    assert (loan.status, loan.disbursed_on, loan.outstanding_principal) == ("active", date(2024, 7, 1), 300000)
    run_jobs()
    message = Message.objects.get(member=member_of("G2"))
    assert message.business == "贷款发放" and "HT2" in message.content and "2026-04-01" in message.content


def test_books_import_raises_the_versions_of_exactly_the_members_that_changed(base, tmp_path):
    g1, g2 = member_of("G1"), member_of("G2")
    g3 = applied(b.batch(tmp_path, 2, GRXX=[b.person("G3", 3)], GRZHXX=[b.account("G3", "0.00")])) and member_of("G3")
    versions = {m.pk: Member.objects.get(pk=m.pk).data_version for m in (g1, g2, g3)}
    tables = base_tables()
    tables["GRMX"].append(b.posting("G1", "S8", date(2024, 5, 15), "100.00"))
    tables["GRZHXX"][0]["GRZHYE"] += 100
    applied(b.batch(tmp_path, 3, **tables))
    after = {pk: Member.objects.get(pk=pk).data_version for pk in versions}
    assert after[g1.pk] > versions[g1.pk]
    assert after[g2.pk] == versions[g2.pk]  # every row of G2 repeated unchanged
    assert after[g3.pk] == versions[g3.pk]  # not in the batch
    # An employer renamed shows on all its members' pages.
    applied(b.batch(tmp_path, 4, DWXX=[b.employer(name="枣庄新名称有限公司")]))
    renamed = {pk: Member.objects.get(pk=pk).data_version for pk in versions}
    assert all(renamed[pk] > after[pk] for pk in versions)


def test_books_import_flagged_account_shows_checking_instead_of_figures(base, tmp_path, client):
    user = MemberUserFactory(member=member_of("G1"), password=MEMBER_PASSWORD)
    client.force_login(user)
    pages = [reverse("inquiry:basic_info"), reverse("inquiry:ledger"), reverse("tasks:home")]
    for url in pages:
        assert "1,800.00" in client.get(url).content.decode()
    applied(b.batch(tmp_path, 2, GRZHXX=[b.account("G1", "9999.00")]))
    for url in pages:
        page = client.get(url).content.decode()
        assert "数据核对中,请稍后查看" in page and "1,800.00" not in page, url
        # The partial's own note is a template comment, never text on the page.
        assert "{#" not in page and "discrepancy" not in page, url
    assert "ledger-table" not in client.get(reverse("inquiry:ledger")).content.decode()
    applied(b.batch(tmp_path, 3, GRZHXX=[b.account("G1", "1800.00")]))
    for url in pages:
        page = client.get(url).content.decode()
        assert "数据核对中" not in page and "1,800.00" in page, url


def test_books_import_flagged_contract_shows_checking_on_its_money_pages(base, tmp_path, client):
    user = MemberUserFactory(member=member_of("G1"), password=MEMBER_PASSWORD)
    client.force_login(user)
    applied(b.batch(tmp_path, 2, DKZHXX=[b.loan_account("DK1", "HT1", "250000.00")]))
    for name in ("loan_info", "repayments", "plan"):
        page = client.get(reverse(f"inquiry:{name}") + "?contract=HT1").content.decode()
        assert "数据核对中,请稍后查看" in page and "250,000.00" not in page, name
    assert "数据核对中" in client.get(reverse("tasks:home")).content.decode()
    # Progress shows no money: it stays.
    page = client.get(reverse("inquiry:loan_progress") + "?contract=HT1").content.decode()
    assert "数据核对中" not in page and "申请受理" in page
