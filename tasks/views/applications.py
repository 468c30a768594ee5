"""Member pages of online applications: 提取申请, 贷款申请 (with 贷款试算),
我发起的 (the list, 查看 with its flow chart) and 撤回."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from tasks.forms.applications import LoanApplicationForm, LoanTrialForm, WithdrawalForm
from tasks.selectors import applications as selectors
from tasks.services import applications as services
from zzgjj_portal.frame import MemberPageMixin
from zzgjj_portal.pagination import paginate

SUBMITTED = "{title}已提交,请在【我发起的】中查看办理进度"
ALREADY_SUBMITTED = "该申请已提交,请勿重复提交"
WITHDRAWN = "申请已撤回"


def _new_token() -> dict:
    return {"form_token": uuid.uuid4()}


def _submit(request, form, submit):
    """Submit a valid form with `submit(cleaned_data)`: the application's page
    (a flash says whether it is new or the same form again), or None with the
    refusal on the form for the page to show again."""
    if not form.is_valid():
        return None
    try:
        result = submit(form.cleaned_data)
    except services.ApplicationRefused as exc:
        form.add_error(None, exc.message)
        return None
    if result.created:
        messages.success(request, SUBMITTED.format(title=result.application.title))
    else:
        messages.info(request, ALREADY_SUBMITTED)
    return redirect("tasks:application_detail", pk=result.application.pk)


@method_decorator(never_cache, name="dispatch")
class WithdrawalApplyView(MemberPageMixin, TemplateView):
    """提取申请: type and amount; the money goes to the bank account on file."""

    template_name = "tasks/withdrawal_apply.html"
    nav = "home"

    def get(self, request, *args, **kwargs):
        return self.render_form(WithdrawalForm(initial=_new_token()))

    def post(self, request, *args, **kwargs):
        form = WithdrawalForm(request.POST)
        submitted = _submit(
            request,
            form,
            lambda data: services.withdrawal_submit(
                member=self.member,
                withdrawal_kind=data["withdrawal_kind"],
                amount=data["amount"],
                form_token=data["form_token"],
                request=request,
            ),
        )
        return submitted or self.render_form(form)

    def render_form(self, form):
        facts = selectors.withdrawal_facts(member=self.member)
        return self.render_to_response(
            self.get_context_data(form=form, facts=facts, limits=selectors.withdrawal_limits())
        )


@method_decorator(never_cache, name="dispatch")
class LoanApplyView(MemberPageMixin, TemplateView):
    """贷款申请 with 贷款试算: 试算 shows the repayments for what was typed,
    提交申请 applies. Both post the same form (a whitelisted `action`)."""

    template_name = "tasks/loan_apply.html"
    nav = "home"

    def get(self, request, *args, **kwargs):
        return self.render_form(LoanApplicationForm(initial=_new_token()))

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "trial":
            return self.trial(request)
        form = LoanApplicationForm(request.POST)
        submitted = _submit(
            request,
            form,
            lambda data: services.loan_submit(
                member=self.member,
                amount=data["amount"],
                term_years=data["term_years"],
                repayment_method=data["repayment_method"],
                property_address=data["property_address"],
                property_price=data["property_price"],
                co_borrower_name=data["co_borrower_name"],
                co_borrower_id_number=data["co_borrower_id_number"],
                form_token=data["form_token"],
                request=request,
            ),
        )
        return submitted or self.render_form(form)

    def trial(self, request):
        """贷款试算 (nothing is saved): the form comes back as typed, with the figures."""
        trial_form = LoanTrialForm(request.POST)
        trial = None
        if trial_form.is_valid():
            data = trial_form.cleaned_data
            trial = selectors.loan_trial(
                amount=data["amount"], term_years=data["term_years"], method=data["repayment_method"]
            )
        # Unbound with what was typed: a trial is not a submission, so the
        # property fields left empty so far are not errors yet.
        initial = {name: request.POST.get(name, "") for name in LoanApplicationForm.base_fields}
        if not initial["form_token"]:
            initial.update(_new_token())
        form = LoanApplicationForm(initial=initial)
        return self.render_form(form, trial=trial, trial_form=trial_form)

    def render_form(self, form, **extra):
        context = self.get_context_data(
            form=form,
            rates=selectors.loan_rates(),
            limits=selectors.loan_limits(),
            blocker=selectors.loan_blocker(member=self.member),
            **extra,
        )
        return self.render_to_response(context)


class ApplicationListView(MemberPageMixin, TemplateView):
    """我发起的 → 更多: all the member's applications, newest first, 20 a page."""

    template_name = "tasks/application_list.html"
    nav = "home"
    page_cache = True

    def get_context_data(self, **kwargs):
        page = paginate(self.request, selectors.member_applications(member=self.member))
        return super().get_context_data(page_obj=page, **kwargs)


class ApplicationDetailView(MemberPageMixin, TemplateView):
    """查看: the application, its flow chart and the table of finished steps."""

    template_name = "tasks/application_detail.html"
    nav = "home"

    def get_context_data(self, **kwargs):
        application = selectors.application_get_for_member(member=self.member, pk=self.kwargs["pk"])
        steps = selectors.application_steps(application=application)
        return super().get_context_data(
            application=application,
            steps=steps,
            handled_steps=[step for step in steps if step.handled_at and step.approver_name],
            can_withdraw=application.can_be_withdrawn(steps),
            **kwargs,
        )


class ApplicationWithdrawView(MemberPageMixin, TemplateView):
    """撤回: GET asks 是/否 (works without JavaScript), POST withdraws."""

    template_name = "tasks/application_withdraw.html"
    nav = "home"

    def get(self, request, *args, **kwargs):
        application = selectors.application_get_for_member(member=self.member, pk=kwargs["pk"])
        steps = selectors.application_steps(application=application)
        if not application.can_be_withdrawn(steps):
            messages.error(request, services.CANNOT_WITHDRAW)
            return redirect("tasks:application_detail", pk=application.pk)
        return self.render_to_response(self.get_context_data(application=application))

    def post(self, request, *args, **kwargs):
        try:
            services.application_withdraw(member=self.member, pk=kwargs["pk"], request=request)
        except services.ApplicationRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, WITHDRAWN)
        return redirect("tasks:application_detail", pk=kwargs["pk"])
