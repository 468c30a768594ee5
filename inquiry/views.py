"""Member pages of the center's records: 信息查询 (chapter 3)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView

from inquiry import charts, exports, selectors
from inquiry.amortization import PREPAY_SHORTEN, add_months
from inquiry.forms import PrepaymentTrialForm, date_range_form
from inquiry.models import LoanContract
from zzgjj_portal.frame import MemberPageMixin
from zzgjj_portal.pagination import counted_page, page_number, paginate

NO_LOAN = "您未办理贷款业务,如需办理贷款业务,请回到主页面进行贷款申请"
NOT_DISBURSED = "此合同【{contract_no}】的贷款未发放"
SETTLED = "此合同【{contract_no}】的贷款已结清"
PREPAY_OVERDUE = "此合同【{contract_no}】的贷款已逾期,请先到服务大厅结清逾期款项,再试算提前还款"
PREPAY_NO_PLAN = "此合同【{contract_no}】暂无还款计划,无法试算提前还款"
# 提前还款试算 shows the new plan's first rows (the rest follow the same rule).
PREPAY_PREVIEW_ROWS = 12


class BasicInfoView(MemberPageMixin, TemplateView):
    """个人基本信息: customer information and account information."""

    template_name = "inquiry/basic_info.html"
    nav = "info"
    page_cache = True

    def get_context_data(self, **kwargs):
        account = selectors.member_fund_account(member=self.member)
        if account:
            # The menu's loan entries: read with the account (zzgjj_portal/frame.py menu providers).
            kwargs["has_loans"] = account.has_loans
        latest = selectors.latest_deposit_period(account=account) if account else ""
        return super().get_context_data(account=account, latest_period=latest, **kwargs)


class LedgerView(MemberPageMixin, TemplateView):
    """缴存支取信息: summary, date range (default the last 12 months), the
    entries with totals; `?format=xlsx` downloads the same range."""

    template_name = "inquiry/ledger_list.html"
    nav = "ledger"
    page_cache = True

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        form = date_range_form(request.GET, default_start=add_months(today, -12) + timedelta(days=1), default_end=today)
        account = selectors.member_fund_account(member=self.member)
        context = {"account": account, "form": form}
        if account:
            context["has_loans"] = account.has_loans  # the menu's loan entries, read with the account
        # An account being reconciled (数据核对中) shows no figures, in the page or the file.
        if account and form.is_valid() and not account.discrepancy:
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            if request.GET.get("format") == "xlsx":
                result = selectors.ledger_entries(member=self.member, start=start, end=end)
                return exports.ledger_xlsx_response(member=self.member, start=start, end=end, result=result)
            # The page reads only its 20 rows, with the range's count and totals.
            number = page_number(request)
            result = selectors.ledger_page(member=self.member, start=start, end=end, number=number)
            context.update(result=result, page_obj=counted_page(result.entries, count=result.count, number=number))
            if settings.INQUIRY_CHARTS and result.count:
                context.update(selectors.ledger_charts(member=self.member, start=start, end=end))
            # 打印's one-time token; a cached page keeps it only until a
            # certificate is issued (certificates raise the data version).
            context["print_token"] = uuid.uuid4()
        return self.render_to_response(self.get_context_data(**context))


class LoanPageMixin(MemberPageMixin):
    """A loan page: the member's contracts for the dropdown and the chosen one
    (`?contract=`), which passes the ownership gate or is a 404."""

    # Which contracts get a message instead of the page's data (manual 3.4-3.6).
    needs_disbursed = True
    needs_running = False
    # Whether the page shows the contract's money: while its figures do not
    # reconcile (discrepancy, set by the import) it says 数据核对中 instead.
    shows_money = True

    def get(self, request, *args, **kwargs):
        self.loans = selectors.member_loan_list(member=self.member)
        contract_no = request.GET.get("contract")
        if contract_no:
            self.loan = selectors.loan_get_for_member(
                member=self.member, contract_no=contract_no, candidates=self.loans
            )
        else:
            self.loan = selectors.default_loan(self.loans)
        return self.loan_get(request)

    def loan_get(self, request) -> HttpResponse:
        return self.render_to_response(self.get_context_data())

    @property
    def checking(self) -> bool:
        return bool(self.shows_money and self.loan is not None and self.loan.discrepancy)

    def get_context_data(self, **kwargs):
        loan: LoanContract | None = self.loan
        notice = ""
        if not self.loans:
            notice = NO_LOAN
        elif not loan.is_disbursed and self.needs_disbursed:
            notice = NOT_DISBURSED.format(contract_no=loan.contract_no)
        elif not loan.is_running and self.needs_running:
            # Disbursed but not being repaid: settled.
            notice = SETTLED.format(contract_no=loan.contract_no)
        # No loan: the notice links to 贷款申请 (a URL name in the template; no import of tasks).
        kwargs.update(
            loans=self.loans,
            loan=loan,
            has_loans=bool(self.loans),
            notice=notice,
            notice_loan_apply=not self.loans,
            checking=self.checking,
        )
        return super().get_context_data(**kwargs)


class LoanProgressView(LoanPageMixin, TemplateView):
    """贷款进度查询: the contract's nodes (done yellow, current green, later grey)."""

    template_name = "inquiry/loan_progress.html"
    nav = "progress"
    page_cache = True
    needs_disbursed = False  # progress is most useful before the money comes
    shows_money = False

    def get_context_data(self, **kwargs):
        steps = selectors.loan_progress_steps(loan=self.loan) if self.loan else []
        return super().get_context_data(steps=steps, **kwargs)


class LoanInfoView(LoanPageMixin, TemplateView):
    """贷款信息 of the chosen contract; a settled one offers its 贷款结清证明."""

    template_name = "inquiry/loan_info.html"
    nav = "loan_info"
    page_cache = True

    def get_context_data(self, **kwargs):
        loan = self.loan
        if settings.INQUIRY_CHARTS and loan is not None and loan.is_disbursed and not self.checking:
            # 已还本金 | 剩余本金 of the contract: from its own figures, no query.
            kwargs["parts_chart"] = charts.loan_parts(
                loan.amount - loan.outstanding_principal, loan.outstanding_principal
            )
        if self.loan is not None and self.loan.status == LoanContract.Status.SETTLED:
            # The issuing form's one-time token (in the cached page until a
            # certificate is issued: certificates raise the data version).
            kwargs["settled_token"] = uuid.uuid4()
        return super().get_context_data(**kwargs)


class RepaymentListView(LoanPageMixin, TemplateView):
    """还款明细 of the chosen contract in a date range."""

    template_name = "inquiry/repayment_list.html"
    nav = "repayments"
    page_cache = True

    def loan_get(self, request):
        form = date_range_form(request.GET)
        context = {"form": form}
        if self.loan and self.loan.is_disbursed and not self.checking and form.is_valid():
            data = form.cleaned_data
            rows = selectors.loan_repayments(loan=self.loan, start=data["start"], end=data["end"])
            context["page_obj"] = paginate(request, rows)
        return self.render_to_response(self.get_context_data(**context))


class RepaymentPlanView(LoanPageMixin, TemplateView):
    """还款计划 of the chosen contract in a date range, with 数据下载
    (`?format=xlsx`); 打印 is RepaymentPlanPrintView. All three use the same
    selector, so the page, the file and the print can never disagree."""

    template_name = "inquiry/plan_list.html"
    nav = "plan"
    page_cache = True
    needs_running = True

    def plan(self, request):
        """(form, PlanResult or None); None when there is nothing to plan."""
        form = date_range_form(request.GET)
        if not self.loan or self.checking or not form.is_valid():
            return form, None
        data = form.cleaned_data
        return form, selectors.loan_plan(loan=self.loan, start=data["start"], end=data["end"])

    def loan_get(self, request):
        form, plan = self.plan(request)
        if plan is not None and request.GET.get("format") == "xlsx":
            return exports.plan_xlsx_response(member=self.member, loan=self.loan, form=form, plan=plan)
        context = {"form": form}
        if plan is not None:
            context.update(plan=plan, page_obj=paginate(request, plan.rows))
            if settings.INQUIRY_CHARTS and plan.rows:
                # Computed from the plan: no query.
                periods, remaining = zip(*selectors.plan_remaining(loan=self.loan, plan=plan), strict=True)
                context["remaining_chart"] = charts.remaining_line(periods, remaining)
                context["plan_years_chart"] = charts.plan_year_bars(
                    [(y.year, y.principal, y.interest) for y in selectors.plan_years(plan)]
                )
        return self.render_to_response(self.get_context_data(**context))


class RepaymentPlanPrintView(RepaymentPlanView):
    """打印: the 缴存人还款计划表 as a PDF rendered by WeasyPrint. Not in the
    page cache (not said here): PDFs have their own (inquiry/printing.py)."""

    def loan_get(self, request):
        form, plan = self.plan(request)
        if plan is None:
            # Nothing printable (no loan, settled, not disbursed, bad dates):
            # the plan page explains why.
            return super().loan_get(request)
        # Imported here: WeasyPrint takes about a second to import, which every
        # worker's first page would otherwise pay.
        from inquiry import printing

        return printing.plan_pdf_response(member=self.member, loan=self.loan, form=form, plan=plan)


class PrepaymentTrialView(LoanPageMixin, TemplateView):
    """提前还款试算 of the chosen contract (正常 only): a GET form, nothing is
    booked. Not in the page cache (a form page: each amount is its own URL);
    MemberPageMixin keeps browsers from caching it."""

    template_name = "inquiry/prepay_trial.html"
    nav = "prepay"
    needs_running = True  # not disbursed / settled: the manual's notices

    @property
    def can_prepay(self) -> bool:
        return self.loan is not None and selectors.loan_can_prepay(loan=self.loan) and not self.checking

    def loan_get(self, request):
        context = {}
        if self.can_prepay:
            # Unbound until the member asks (the dropdown's own form sends only
            # the contract), so the first view shows no errors.
            data = request.GET if "mode" in request.GET else None
            form = PrepaymentTrialForm(
                data, outstanding=self.loan.outstanding_principal, initial={"mode": PREPAY_SHORTEN}
            )
            context["trial_form"] = form
            if form.is_bound and form.is_valid():
                trial = selectors.loan_prepayment_trial(
                    loan=self.loan, mode=form.cleaned_data["mode"], amount=form.cleaned_data["amount"]
                )
                context.update(trial=trial, trial_rows=trial.rows[:PREPAY_PREVIEW_ROWS])
        return self.render_to_response(self.get_context_data(**context))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        loan = self.loan
        if not context["notice"] and loan is not None:
            if loan.status == LoanContract.Status.OVERDUE:
                context["notice"] = PREPAY_OVERDUE.format(contract_no=loan.contract_no)
            elif not context["checking"] and not self.can_prepay:
                context["notice"] = PREPAY_NO_PLAN.format(contract_no=loan.contract_no)
        return context
