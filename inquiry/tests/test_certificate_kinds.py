"""The other certificate kinds of 我的证明 (issue 19): 贷款结清证明, 缴存明细
and 年度对账单. Each is one POST per click (form token), rendered, signed and
stored as the 缴存证明 is; each says what the member's records say and refuses,
with the reason, what they do not allow."""

import html
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from http import HTTPStatus
from io import BytesIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from inquiry import selectors, services
from inquiry.certificates.documents import annual_document
from inquiry.models import Certificate, FundAccount, LedgerEntry, LoanContract
from inquiry.statements import Status
from inquiry.tests.factories import LedgerEntryFactory, LoanContractFactory, MemberFactory, RepaymentFactory
from zzgjj_portal.money import format_money

pytestmark = pytest.mark.django_db
LIST = reverse("inquiry:certificates")
LOAN_SETTLED = reverse("inquiry:certificate_loan_settled")
LEDGER = reverse("inquiry:certificate_ledger")
ANNUAL = reverse("inquiry:certificate_annual")
LEDGER_PAGE = reverse("inquiry:ledger")
LOAN_INFO = reverse("inquiry:loan_info")


def post(client, url, **data):
    return client.post(url, {"form_token": str(uuid.uuid4()), **data})


def pdf_text(certificate: Certificate) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(bytes(certificate.document.data))).pages)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def masked(member) -> str:
    return member.id_number[:6] + "********" + member.id_number[-4:]


# --- 贷款结清证明 ------------------------------------------------------------------


def test_loan_settled_certificate_states_the_contract_and_its_settlement_date(
    member_client, member, loans, center_signer
):
    settled, _, _ = loans
    LoanContract.objects.filter(pk=settled.pk).update(settled_on=date(2019, 3, 9))

    response = post(member_client, LOAN_SETTLED, contract=settled.contract_no)

    assert response.status_code == HTTPStatus.FOUND and response.url == LIST
    certificate = Certificate.objects.get(member=member)
    assert (certificate.kind, certificate.title, certificate.subject) == (
        Certificate.Kind.LOAN_SETTLED,
        "贷款结清证明",
        "ZZ2012000001",
    )
    facts = dict(certificate.facts)
    assert facts["借款人"] == member.name and facts["身份证号"] == masked(member)
    assert facts["借款合同编号"] == "ZZ2012000001" and facts["贷款金额"] == "150,000.00 元"
    assert (facts["发放日期"], facts["结清日期"]) == ("2012-06-09", "2019-03-09")
    assert certificate.valid_until - certificate.issued_at == timedelta(days=30)
    text = squeezed(pdf_text(certificate))
    assert "贷款结清证明" in text and "已于2019-03-09全部结清" in text and "150,000.00元" in text
    assert member.id_number not in text and masked(member) in text
    assert "贷款结清证明已开具" in str(list(response.wsgi_request._messages)[-1])


def test_loan_settled_date_is_the_last_repayments_without_the_cores(member_client, member, loans, center_signer):
    settled, _, _ = loans
    for day in (date(2013, 7, 9), date(2016, 11, 9), date(2014, 2, 9)):
        RepaymentFactory(contract=settled, repaid_on=day)

    post(member_client, LOAN_SETTLED, contract=settled.contract_no)

    assert dict(Certificate.objects.get().facts)["结清日期"] == "2016-11-09"


@pytest.mark.parametrize("which", [1, 2, "overdue"])
def test_loan_settled_certificate_refused_for_a_contract_not_settled(
    member_client, member, loans, center_signer, which
):
    if which == "overdue":
        loan = loans[1]
        LoanContract.objects.filter(pk=loan.pk).update(status=LoanContract.Status.OVERDUE)
    else:
        loan = loans[which]

    response = post(member_client, LOAN_SETTLED, contract=loan.contract_no)

    assert response.status_code == HTTPStatus.OK
    assert f"此合同【{loan.contract_no}】的贷款尚未结清,不能开具贷款结清证明" in response.content.decode()
    assert not Certificate.objects.exists()


def test_loan_settled_certificate_refused_without_a_settlement_date_or_while_checked(
    member_client, loans, center_signer
):
    settled, _, _ = loans  # no 结清日期 from the core and no repayment to take it from
    response = post(member_client, LOAN_SETTLED, contract=settled.contract_no)
    assert f"此合同【{settled.contract_no}】暂无结清日期记录" in response.content.decode()
    assert "暂无结清日期记录,请到服务大厅开具" in member_client.get(LIST).content.decode()
    LoanContract.objects.filter(pk=settled.pk).update(settled_on=date(2019, 3, 9), discrepancy="DKYE 不符")
    response = post(member_client, LOAN_SETTLED, contract=settled.contract_no)
    assert "您的账户数据正在核对中" in response.content.decode()
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("contract", ["theirs", "NOSUCHCONTRACT"])
def test_loan_settled_certificate_of_a_contract_not_the_members_is_404(member_client, center_signer, contract):
    theirs = LoanContractFactory(member=MemberFactory(), contract_no="ZZTHEIRS", status=LoanContract.Status.SETTLED)
    contract_no = theirs.contract_no if contract == "theirs" else contract

    response = post(member_client, LOAN_SETTLED, contract=contract_no)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not Certificate.objects.exists()


def test_loan_info_and_my_certificates_offer_it_for_settled_contracts_only(member_client, loans, center_signer):
    settled, active, pending = loans
    RepaymentFactory(contract=settled, repaid_on=date(2018, 5, 9))
    info = member_client.get(LOAN_INFO, {"contract": settled.contract_no}).content.decode()
    assert 'data-testid="issue-loan-settled"' in info
    assert f'name="contract" value="{settled.contract_no}"' in info
    for loan in (active, pending):
        page = member_client.get(LOAN_INFO, {"contract": loan.contract_no}).content.decode()
        assert 'data-testid="issue-loan-settled"' not in page

    page = member_client.get(LIST).content.decode()
    section = page[page.index('data-testid="loan-settled-section"') : page.index('data-testid="ledger-section"')]
    assert section.count('data-testid="issue-loan-settled"') == 1
    assert section.count("尚未结清,不能开具") == 2
    assert "2018-05-09" in section


def test_loan_info_button_issues_once_and_the_cached_page_gets_a_new_token(member_client, loans, center_signer):
    """The 贷款信息 page is cached with its form's token: issuing retires it,
    so the next click is a new certificate, not 「请勿重复提交」."""
    settled, _, _ = loans
    RepaymentFactory(contract=settled, repaid_on=date(2018, 5, 9))

    def token():
        page = member_client.get(LOAN_INFO, {"contract": settled.contract_no}).content.decode()
        return re.search(r'name="form_token" value="([0-9a-f-]{36})"', page).group(1)

    token()  # the first view sets the CSRF cookie the page cache keys on
    first = token()
    assert token() == first  # the page cache serves the same page (and token)
    data = {"form_token": first, "contract": settled.contract_no}
    member_client.post(LOAN_SETTLED, data)
    member_client.post(LOAN_SETTLED, data)  # a double click
    assert Certificate.objects.count() == 1
    second = token()
    assert second != first
    member_client.post(LOAN_SETTLED, {**data, "form_token": second})
    assert Certificate.objects.count() == 2


# --- 缴存明细 --------------------------------------------------------------------


def ledger_of(account, months: int, *, start: date = date(2000, 1, 15)) -> None:
    """`months` months of deposits, a withdrawal every 7th month and the
    June interest, with running balances, as the core books them."""
    balance = Decimal("0.00")
    day = start
    for n in range(months):
        rows = [("deposit", Decimal("1234.56") + n, f"{day:%Y%m}", f"{day:%Y年%m月}汇缴")]
        if n % 7 == 6:
            rows.append(("withdrawal", -Decimal("3000.01"), "", "租房提取"))
        if day.month == 6:
            rows.append(("interest", None, "", "年度结息"))
        for kind, amount, period, summary in rows:
            if amount is None:  # 1.5% a year on what the account holds by then
                amount = (balance * Decimal("0.015")).quantize(Decimal("0.01"))
            balance += amount
            LedgerEntryFactory(
                account=account,
                booked_on=day,
                kind=kind,
                amount=amount,
                balance_after=balance,
                period=period,
                summary=summary,
            )
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 15)
    FundAccount.objects.filter(pk=account.pk).update(balance=balance)


def page_rows(client, params) -> tuple[list[list[str]], str, str]:
    """Every row of the 缴存支取信息 page over its pages, and the totals."""
    rows, number = [], 1
    while True:
        page = client.get(LEDGER_PAGE, {**params, "page": number}).content.decode()
        body = page[page.index("<tbody>") : page.index("</tbody>")]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            rows.append([html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)])
        income = re.search(r'data-testid="income-total">([^<]*)<', page).group(1)
        outgo = re.search(r'data-testid="outgo-total">([^<]*)<', page).group(1)
        if f"page={number + 1}" not in page:
            return rows, income, outgo
        number += 1


def excel_rows(client, params) -> tuple[list[list[str]], str, str]:
    sheet = load_workbook(BytesIO(client.get(LEDGER_PAGE, {**params, "format": "xlsx"}).content)).active
    values = list(sheet.iter_rows(min_row=5, values_only=True))

    def text(value, column):
        if value is None:
            return ""
        if column == 0:
            return f"{value:%Y-%m-%d}"
        if column in (3, 4, 5):
            return format_money(Decimal(str(value)))
        return str(value)

    rows = [[text(value, column) for column, value in enumerate(row)] for row in values[:-1]]
    footer = values[-1]
    return rows, format_money(Decimal(str(footer[3]))), format_money(Decimal(str(footer[4])))


def test_ledger_certificate_rows_and_totals_equal_the_page_and_the_excel_file(
    member_client, member, account, center_signer
):
    ledger_of(account, 50)
    services.withdrawal_provisional_book(
        account=account, amount=Decimal("400.20"), reason="07", summary="网上租房提取", serial_no="WT20040401000001"
    )
    LedgerEntry.objects.filter(serial_no="WT20040401000001").update(booked_on=date(2004, 3, 20))
    params = {"start": "2000-01-01", "end": "2004-03-31"}

    shown, income, outgo = page_rows(member_client, params)
    in_file, file_income, file_outgo = excel_rows(member_client, params)
    response = post(member_client, LEDGER, **params)

    assert response.status_code == HTTPStatus.FOUND and response.url == LIST
    assert len(shown) > 40 and shown == in_file and (income, outgo) == (file_income, file_outgo)
    assert any(row[6] == "【待入账】网上租房提取" for row in shown)
    certificate = Certificate.objects.get()
    text = squeezed(pdf_text(certificate))
    # Each row, in order, as the PDF's text (rows never break across pages).
    at = 0
    for row in shown:
        found = text.find(squeezed("".join(row)), at)
        assert found >= 0, row
        at = found + 1
    assert len(re.findall(r"\d{4}-\d{2}-\d{2}(?:汇缴|提取|结息|补缴|转入|转出)", text)) == len(shown)
    assert f"合计{income}{outgo}" in text
    facts = dict(certificate.facts)
    assert facts == {
        "姓名": member.name,
        "身份证号": masked(member),
        "个人账号": account.account_no,
        "单位名称": account.employer.name,
        "查询日期": "2000-01-01 至 2004-03-31",
        "收入合计": f"{income} 元",
        "支出合计": f"{outgo} 元",
        "笔数": f"{len(shown)} 笔",
    }
    assert certificate.subject == "2000-01-01 至 2004-03-31"
    assert certificate.valid_until - certificate.issued_at == timedelta(days=90)


def test_ledger_page_prints_its_range_and_a_new_token_after_each_issue(member_client, account, center_signer):
    ledger_of(account, 3, start=timezone.localdate() - timedelta(days=100))
    member_client.get(LEDGER_PAGE)  # sets the CSRF cookie: the next view is cached
    page = member_client.get(LEDGER_PAGE).content.decode()
    assert 'data-testid="print"' in page and 'data-testid="download"' in page
    form = page[page.index('<form id="ledger-print"') : page.index("</form>", page.index('<form id="ledger-print"'))]
    end = timezone.localdate()
    assert f'name="end" value="{end:%Y-%m-%d}"' in form
    token = re.search(r'name="form_token" value="([0-9a-f-]{36})"', form).group(1)
    start = re.search(r'name="start" value="([0-9-]{10})"', form).group(1)

    member_client.post(LEDGER, {"form_token": token, "start": start, "end": f"{end:%Y-%m-%d}"})

    assert Certificate.objects.get().subject == f"{start} 至 {end:%Y-%m-%d}"
    assert token not in member_client.get(LEDGER_PAGE).content.decode()


def test_ledger_page_without_rows_offers_no_print(member_client, account):
    page = member_client.get(LEDGER_PAGE, {"start": "1990-01-01", "end": "1990-12-31"}).content.decode()
    assert 'data-testid="download"' in page and 'data-testid="print"' not in page


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("1990-01-01", "2020-01-02", "查询日期范围不能超过30年"),
        ("2020-01-02", "2020-01-01", "开始日期不能晚于结束日期"),
        ("2020-13-01", "2020-01-01", "请输入正确的日期"),
        ("1990-01-01", "1990-12-31", "该日期范围内没有缴存支取记录,无需开具缴存明细"),
    ],
)
def test_ledger_certificate_keeps_the_pages_range_rules(member_client, account, center_signer, start, end, message):
    ledger_of(account, 3)
    response = post(member_client, LEDGER, start=start, end=end)
    assert response.status_code == HTTPStatus.OK and message in response.content.decode()
    assert not Certificate.objects.exists()


def test_ledger_certificate_refused_while_the_account_is_being_checked(member_client, account, center_signer):
    ledger_of(account, 3)
    FundAccount.objects.filter(pk=account.pk).update(discrepancy=True)
    response = post(member_client, LEDGER, start="2000-01-01", end="2000-12-31")
    assert "您的账户数据正在核对中" in response.content.decode()
    assert not Certificate.objects.exists()


def test_ledger_certificate_of_30_years_fits_its_pages(member_client, account, center_signer):
    """A 30-year range (some 400 rows) is rendered whole: header facts, every
    row, the totals and the QR block after them."""
    ledger_of(account, 360, start=date(1996, 7, 15))
    response = post(member_client, LEDGER, start="1996-06-01", end="2026-05-31")
    assert response.status_code == HTTPStatus.FOUND
    certificate = Certificate.objects.get()
    reader = PdfReader(BytesIO(bytes(certificate.document.data)))
    rows = int(dict(certificate.facts)["笔数"].split()[0])
    assert rows > 400 and len(reader.pages) > 10
    last = squeezed(reader.pages[-1].extract_text())
    assert "核验码" in last and f"第{len(reader.pages)}页共{len(reader.pages)}页" in last


# --- 年度对账单 ------------------------------------------------------------------


def test_annual_certificate_states_the_years_figures(member_client, member, account, center_signer):
    ledger_of(account, 30, start=date(2022, 7, 15))  # 2022-07 to 2024-12
    today = timezone.localdate()
    assert today > date(2024, 6, 30)
    year = next(s for s in selectors.annual_statements(member=member) if s.start.year == 2023)
    assert year.issued

    response = post(member_client, ANNUAL, year="2023")

    assert response.status_code == HTTPStatus.FOUND
    certificate = Certificate.objects.get()
    assert (certificate.kind, certificate.subject) == (Certificate.Kind.ANNUAL, "2023-2024年度")
    facts = dict(certificate.facts)
    last_june = LedgerEntry.objects.filter(account=account, booked_on__lte=date(2024, 6, 30)).order_by(
        "-booked_on", "-id"
    )
    assert facts["年末余额"] == f"{format_money(last_june.first().balance_after)} 元"
    assert facts["上年结转余额"] == f"{format_money(year.opening)} 元"
    assert facts["本年汇缴"] == f"{format_money(year.deposits)} 元"
    assert facts["本年提取"] == f"{format_money(year.withdrawals)} 元"
    assert facts["本年结息"] == f"{format_money(year.interest)} 元"
    assert facts["缴存年度"] == "2023-2024年度(2023-07-01 至 2024-06-30)"
    assert certificate.valid_until - certificate.issued_at == timedelta(days=90)
    text = squeezed(pdf_text(certificate))
    assert "年度对账单" in text and squeezed(facts["年末余额"]) in text


def test_annual_certificate_refused_for_a_year_not_issued(member_client, member, account, center_signer):
    today = timezone.localdate()
    ledger_of(account, 3, start=today - timedelta(days=95))
    current = selectors.annual_statements(member=member)[-1]
    assert current.status == Status.NOT_ENDED

    response = post(member_client, ANNUAL, year=str(current.start.year))
    assert f"{current.label}的年度对账单年度未结束,不能开具" in response.content.decode()
    response = post(member_client, ANNUAL, year="1999")
    assert "您的账户没有1999-2000缴存年度的记录" in response.content.decode()
    response = post(member_client, ANNUAL, year="abc")
    assert "请选择缴存年度" in response.content.decode()
    assert not Certificate.objects.exists()


def test_annual_year_with_a_pending_entry_is_listed_with_its_status_and_no_button(
    member_client, member, account, center_signer
):
    ledger_of(account, 30, start=date(2022, 7, 15))
    services.withdrawal_provisional_book(
        account=account, amount=Decimal("100.00"), reason="07", summary="网上租房提取", serial_no="WT20230901000001"
    )
    LedgerEntry.objects.filter(serial_no="WT20230901000001").update(booked_on=date(2023, 9, 1))

    page = member_client.get(LIST).content.decode()
    section = page[page.index('data-testid="annual-section"') :].split("</section>")[0]
    rows = re.findall(r'<tr data-testid="annual-row">(.*?)</tr>', section, re.S)
    by_year = {re.search(r"(\d{4}-\d{4})年度", row).group(1): row for row in rows}
    assert list(by_year)[:1] == [max(by_year)]  # newest first
    assert "含待入账业务,暂不出具" in by_year["2023-2024"] and "issue-annual" not in by_year["2023-2024"]
    assert 'name="year" value="2022"' in by_year["2022-2023"]
    response = post(member_client, ANNUAL, year="2023")
    assert "2023-2024年度的年度对账单含待入账业务,暂不出具,不能开具" in response.content.decode()
    assert not Certificate.objects.exists()


def test_annual_section_shows_no_figures_while_the_account_is_being_checked(member_client, account):
    ledger_of(account, 30, start=date(2022, 7, 15))
    FundAccount.objects.filter(pk=account.pk).update(discrepancy=True)
    page = member_client.get(LIST).content.decode()
    section = page[page.index('data-testid="annual-section"') :].split("</section>")[0]
    assert "数据核对中" in section and "annual-row" not in section


@pytest.fixture
def demo_books(db):
    """The demo set (seed_demo), rolled back with the test. Not held open for the
    module: on SQLite an open write transaction on the test connection locks
    the tables against the live server of the module's browser test."""
    call_command("seed_demo", as_of="2026-10-31")
    return date(2026, 10, 31)


def test_annual_statement_reconciles_for_every_year_of_every_demo_member(demo_books):
    today = demo_books
    accounts = list(FundAccount.objects.select_related("member", "employer").order_by("pk"))
    assert len(accounts) >= 50
    checked = 0
    for account in accounts:
        member = account.member
        booked = list(
            LedgerEntry.objects.filter(account=account, pending=False)
            .order_by("booked_on", "id")
            .values_list("booked_on", "balance_after")
        )
        for year in selectors.annual_statements(member=member, today=today):
            where = (account.account_no, year.label)
            movements = (
                year.deposits
                + year.back_payments
                + year.interest
                + year.transfers_in
                - year.withdrawals
                - year.transfers_out
            )
            up_to_june = [balance for day, balance in booked if day <= year.end]
            ledger_closing = up_to_june[-1] if up_to_june else Decimal("0.00")
            assert year.opening + movements == year.closing == ledger_closing, where
            if year.end < today:
                assert year.status == Status.ISSUED, (*where, year.status)
                # What the certificate prints is the statement's figures.
                facts = dict(annual_document(member=member, year=year.start.year, today=today).facts)
                assert facts["年末余额"] == f"{format_money(ledger_closing)} 元", where
                assert facts["上年结转余额"] == f"{format_money(year.opening)} 元", where
            checked += 1
    assert checked > 5 * len(accounts)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_certificate_kinds_issued_in_the_browser(live_server, page, center_signer, tmp_path):
    """The demo member prints 缴存明细 from 缴存支取信息, issues a 贷款结清证明
    from 贷款信息 and a 年度对账单 from 我的证明; each lands on 我的证明 with
    its flash. 我的证明 fits a desktop and a 390 px phone."""
    from playwright.sync_api import expect

    from inquiry.demo import DEMO_ID_NUMBER
    from inquiry.tests.test_browser import log_in

    call_command("seed_demo", as_of="2026-10-31", members=2)
    settled = LoanContract.objects.get(member__id_number=DEMO_ID_NUMBER, status=LoanContract.Status.SETTLED)
    log_in(page, live_server.url)

    page.goto(f"{live_server.url}{LEDGER_PAGE}?start=2000-01-01&end=2026-10-31")
    page.screenshot(path=tmp_path / "ledger.png")
    page.get_by_test_id("print").click()
    expect(page).to_have_url(re.compile(r"/certificates/$"))
    expect(page.locator(".flash")).to_contain_text("缴存明细已开具")

    page.goto(f"{live_server.url}{LOAN_INFO}?contract={settled.contract_no}")
    page.get_by_test_id("issue-loan-settled").click()
    expect(page.locator(".flash")).to_contain_text("贷款结清证明已开具")

    page.get_by_test_id("issue-annual").first.click()
    expect(page.locator(".flash")).to_contain_text("年度对账单已开具")
    expect(page.get_by_test_id("certificate-row")).to_have_count(3)
    kinds = set(Certificate.objects.values_list("kind", flat=True))
    assert kinds == {Certificate.Kind.LEDGER, Certificate.Kind.LOAN_SETTLED, Certificate.Kind.ANNUAL}

    for name, width, height in [("desktop", 1366, 900), ("phone", 390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        # Nothing wider than the screen: the tables turn into cards on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=tmp_path / f"certificates-{name}.png", full_page=True)
