"""The PDF renderer's guards: only our static files, a CJK font, fast subsetting."""

import ctypes.util
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader
from weasyprint.text import ffi as weasyprint_ffi

from inquiry import amortization, printing
from inquiry.models import Member
from inquiry.selectors import PlanResult
from inquiry.tests.factories import LoanContractFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_harfbuzz_subsetting_is_available():
    # Without libharfbuzz-subset WeasyPrint falls back to fontTools: Chinese PDFs
    # take several times longer (apt-get install libharfbuzz-subset0).
    assert ctypes.util.find_library("harfbuzz-subset")
    assert weasyprint_ffi.harfbuzz_subset is not None
    assert weasyprint_ffi.harfbuzz.hb_version_atleast(4, 1, 0)


def test_fetcher_serves_the_projects_static_files():
    response = printing.StaticOnlyFetcher().fetch(f"{printing.BASE_URL}static/css/plan-print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/static/css/plan-print.css",
        f"{printing.BASE_URL}static/../../../etc/passwd",
        f"{printing.BASE_URL}static/%2e%2e/%2e%2e/etc/passwd",
        f"{printing.BASE_URL}media/secret.pdf",
        f"{printing.BASE_URL}static/css/no-such-file.css",
        "data:text/css,body{color:red}",
    ],
)
def test_fetcher_refuses_everything_else(url):
    with pytest.raises(ValueError):
        printing.StaticOnlyFetcher().fetch(url)


def test_pdf_with_hostile_member_data_fetches_nothing_outside(monkeypatch):
    fetched = []
    original = printing.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(printing.StaticOnlyFetcher, "fetch", spy)
    member = MemberFactory(name='<img src="http://evil.example/x.png">')
    loan = LoanContractFactory(member=member)
    rows = amortization.schedule("equal_installment", Decimal("1000.00"), Decimal("0.03"), 2, date(2027, 1, 1))
    pdf = printing.plan_pdf_bytes(
        member=member, loan=loan, start=None, end=None, plan=PlanResult.of(rows), printed_on=date(2026, 11, 1)
    )
    assert pdf.startswith(b"%PDF")
    # The name is escaped text, so the only URL asked for is our stylesheet.
    assert fetched == [f"{printing.BASE_URL}static/css/plan-print.css"]


def test_pdf_embeds_a_cjk_font():
    member = MemberFactory(name="王晓明")
    loan = LoanContractFactory(member=member)
    rows = amortization.schedule("equal_principal", Decimal("1000.00"), Decimal("0.03"), 2, date(2027, 1, 1))
    pdf = printing.plan_pdf_bytes(
        member=member, loan=loan, start=None, end=None, plan=PlanResult.of(rows), printed_on=date(2026, 11, 1)
    )
    reader = PdfReader(BytesIO(pdf))
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("WenQuanYi" in name or "NotoSansCJK" in name for name in fonts), fonts
    # Real text, not drawn shapes: it extracts as Chinese.
    assert "王晓明" in reader.pages[0].extract_text()


def test_plan_document_uses_its_own_user_agent_stylesheet():
    # The speed-up rests on WeasyPrint's `_ua_stylesheets` hook: an upgrade that
    # drops it must fail here, not quietly bring back the slower default.
    from weasyprint import HTML

    assert "_ua_stylesheets" in vars(HTML)
    document = printing.PlanHTML(string="<p>x</p>", base_url=printing.BASE_URL)
    sheets = document._ua_stylesheets()
    assert len(sheets) == 1 and sheets[0] is printing._plan_ua_stylesheet()
    # The margin boxes still get their alignment from it (page numbers centred).
    with open(printing.finders.find(printing.PLAN_UA_STYLESHEET), encoding="utf-8") as handle:
        assert "@bottom-center" in handle.read()


def test_repeat_print_of_an_unchanged_plan_comes_from_the_cache(monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pdf"}}
    rendered = []
    original = printing.PlanHTML.write_pdf

    def counting(self, *args, **kwargs):
        rendered.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(printing.PlanHTML, "write_pdf", counting)
    loan = LoanContractFactory()
    rows = amortization.schedule("equal_installment", Decimal("1000.00"), Decimal("0.03"), 3, date(2027, 1, 1))
    first = printing.plan_pdf_bytes(
        member=loan.member, loan=loan, start=None, end=None, plan=PlanResult.of(rows), printed_on=date(2026, 11, 1)
    )
    again = printing.plan_pdf_bytes(
        member=loan.member, loan=loan, start=None, end=None, plan=PlanResult.of(rows), printed_on=date(2026, 11, 1)
    )
    assert again == first and len(rendered) == 1
    # Anything on the page changes the document, hence the key: a new PDF.
    printing.plan_pdf_bytes(
        member=loan.member, loan=loan, start=None, end=None, plan=PlanResult.of(rows[:2]), printed_on=date(2026, 11, 1)
    )
    printing.plan_pdf_bytes(
        member=loan.member, loan=loan, start=None, end=None, plan=PlanResult.of(rows), printed_on=date(2026, 11, 2)
    )
    assert len(rendered) == 3
    # The member's name is on the page: the database raises the member's data
    # version, so the member as the next request reads it gets a new PDF.
    Member.objects.filter(pk=loan.member_id).update(name="改名后")
    printing.plan_pdf_bytes(
        member=Member.objects.get(pk=loan.member_id),
        loan=loan,
        start=None,
        end=None,
        plan=PlanResult.of(rows),
        printed_on=date(2026, 11, 2),
    )
    assert len(rendered) == 4
