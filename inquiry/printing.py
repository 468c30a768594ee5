"""打印: the 缴存人还款计划表 as a PDF, rendered by WeasyPrint.

WeasyPrint fetches every URL a document names (stylesheets, images, fonts).
The document is built from our own template, but member data flows into it,
so the fetcher serves only the project's own static files: nothing from the
network or the file system (no SSRF, no reading /etc/passwd through a url()).
"""

import hashlib
from datetime import date
from functools import cache
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from inquiry.exports import content_disposition, range_text
from inquiry.models import LoanContract, Member
from inquiry.selectors import PlanResult
from zzgjj_portal import pagecache

# Not a real host: relative URLs in the document resolve against it, and only
# URLs on it under STATIC_URL are ever served.
BASE_URL = "https://print.zzgjj-portal.invalid/"
PLAN_UA_STYLESHEET = "css/plan-print-ua.css"
# The print date is on the document, so a cached PDF is good for a day at most.
PDF_CACHE_SECONDS = 24 * 60 * 60
STATIC_CONTENT_TYPES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the project's static files and
    refuses everything else (other hosts, file:, data:, path traversal)."""

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        base = urlsplit(BASE_URL)
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(static_prefix):
            raise ValueError(f"refused to fetch {url!r}: only the portal's static files")
        name = unquote(parts.path[len(static_prefix) :])
        path = _static_path(name)
        if path is None:
            raise ValueError(f"no static file {name!r}")
        suffix = name[name.rfind(".") :].lower()
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = STATIC_CONTENT_TYPES.get(suffix, "application/octet-stream")
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def _static_path(name: str) -> str | None:
    """The file of a static name, from the app/static dirs or (production, with
    hashed names) the collected files; None when unknown or outside them."""
    if not name or ".." in name.split("/") or name.startswith("/"):
        return None
    try:
        found = finders.find(name)
        if found:
            return found
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        return None
    return None


@cache
def _plan_ua_stylesheet() -> CSS:
    return CSS(filename=finders.find(PLAN_UA_STYLESHEET))


class PlanHTML(HTML):
    """The plan document with a user-agent stylesheet of only the elements it
    uses (static/css/plan-print-ua.css): WeasyPrint matches its default one,
    written for every HTML element, against each of a 360-row plan's 2,000
    elements, which is about a sixth of the rendering time (3.0 s -> 2.5 s
    here, against a 3 s target). `_ua_stylesheets` is WeasyPrint's own hook
    for this; the version is pinned and test_printing checks the hook."""

    def _ua_stylesheets(self, forms=False):
        return [_plan_ua_stylesheet()]


def plan_pdf_bytes(
    *,
    member: Member,
    loan: LoanContract,
    start: date | None,
    end: date | None,
    plan: PlanResult,
    printed_on: date,
) -> bytes:
    """The 缴存人还款计划表 of `plan` (rows and totals) as PDF bytes.

    `member` must have been read before the plan (as request.user's member is):
    its data_version then dates the plan no later than it is."""
    # A repeat print of the same plan is served from the cache instead of 1-3 s
    # of WeasyPrint, without even rendering the HTML (a 360-row template costs
    # tens of ms). Everything on the page is in the key: the member's data
    # version (raised by the database on any change to the member, the contract
    # or its repayments: inquiry/versioning.py), the range, the plan's rows and
    # totals, the print date, and the code (templates, WeasyPrint) that draws it.
    rows = "\n".join(f"{r.period} {r.due_date} {r.principal} {r.interest} {r.total}" for r in plan.rows)
    document_version = "\n".join(
        [
            weasyprint.__version__,
            pagecache.release(),
            f"{member.pk} {member.data_version} {loan.pk} {start} {end} {printed_on}",
            f"{plan.principal_total} {plan.interest_total} {plan.total}",
            rows,
        ]
    )
    key = "plan-pdf:" + hashlib.sha256(document_version.encode()).hexdigest()
    pdf = caches["default"].get(key)
    if pdf is None:
        html = render_to_string(
            "inquiry/plan_print.html",
            {
                "member": member,
                "loan": loan,
                "range_text": range_text(start, end),
                "plan": plan,
                "printed_on": printed_on,
            },
        )
        document = PlanHTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
        pdf = document.write_pdf()
        caches["default"].set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


def plan_pdf_response(*, member: Member, loan: LoanContract, form, plan: PlanResult) -> HttpResponse:
    """打印 of 还款计划: shown inline so the browser's PDF viewer can print it."""
    data = form.cleaned_data
    pdf = plan_pdf_bytes(
        member=member, loan=loan, start=data["start"], end=data["end"], plan=plan, printed_on=timezone.localdate()
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"缴存人还款计划表_{loan.contract_no}.pdf", fallback=f"repayment-plan_{loan.contract_no}.pdf", inline=True
    )
    return response
