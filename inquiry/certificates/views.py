"""Pages of certificates: 我的证明 (issue, download, 作废) for the member, and
the public /verify/ (by 核验码, by the QR code's address, by uploaded file)."""

import hashlib
import logging
import math
import uuid
from collections.abc import Callable

from captcha.fields import CaptchaField
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView

from inquiry.certificates import codes, selectors, services, throttle
from inquiry.certificates.documents import (
    CertificateRefused,
    Document,
    annual_document,
    deposit_document,
    ledger_document,
    loan_settled_document,
)
from inquiry.certificates.forms import (
    AnnualCertificateForm,
    DepositCertificateForm,
    LedgerCertificateForm,
    LoanSettledCertificateForm,
    VerifyForm,
    VerifyUploadForm,
    upload_max_mb,
)
from inquiry.exports import content_disposition
from inquiry.forms import MAX_RANGE_YEARS
from inquiry.models import Certificate, CertificateVerification
from zzgjj_portal.frame import MemberPageMixin
from zzgjj_portal.net import client_ip
from zzgjj_portal.signing import SignerUnavailable

logger = logging.getLogger(__name__)

ISSUED = "{title}已开具,核验码 {hint},请点击【下载】保存或打印"
ALREADY_ISSUED = "该证明已开具,请勿重复提交"
SIGNER_DOWN = "证明签章服务暂不可用,请稍后再试"
VOIDED = "证明已作废,持有该证明的单位核验时将显示【已作废】"
VOID_NO_DOWNLOAD = "该证明已作废,不能再下载"
WRONG_CODE = "核验码不正确,请核对后重新输入"
CAPTCHA_MESSAGES = {"required": "请输入验证码", "invalid": "验证码错误,请重新输入"}
FILE_MATCHES = "文件与签发记录一致"
FILE_DIFFERS = "文件与签发记录不一致"


def _token() -> dict:
    return {"form_token": uuid.uuid4()}


@method_decorator(never_cache, name="dispatch")
class CertificateListView(MemberPageMixin, TemplateView):
    """我的证明: what can be issued (each a POST form) and what was issued."""

    template_name = "inquiry/certificates/list.html"
    nav = "certificates"

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def render_page(self, *, deposit_form=None, errors: dict[str, str] | None = None, status=200):
        """The page; `errors` puts a refusal in its section ("loan", "ledger", "annual")."""
        context = self.get_context_data(
            deposit_form=deposit_form or DepositCertificateForm(initial=_token()),
            offers=selectors.certificate_offers(member=self.member, today=timezone.localdate()),
            certificates=selectors.member_certificates(member=self.member),
            now=timezone.now(),
            valid_days=settings.INQUIRY_CERTIFICATE_VALID_DAYS,
            history_valid_days=settings.INQUIRY_CERTIFICATE_HISTORY_VALID_DAYS,
            max_range_years=MAX_RANGE_YEARS,
            errors=errors or {},
            # Each issuing form gets its own one-time token.
            new_token=uuid.uuid4,
        )
        return self.render_to_response(context, status=status)


def _issue(view: CertificateListView, build: Callable[[], Document], form_token: uuid.UUID, on_error: Callable):
    """Issue what `build()` describes and go back to 我的证明 with a flash;
    a refusal or a signer outage goes to `on_error(message)` instead."""
    request = view.request
    try:
        issued = services.certificate_issue(
            member=view.member, document=build(), form_token=form_token, request=request
        )
    except CertificateRefused as exc:
        return on_error(exc.message)
    except SignerUnavailable as exc:
        # The reason is the operator's (logs, check --deploy); the member is told to come back.
        logger.error("certificate not issued: signer unavailable (%s)", exc.code)
        return on_error(SIGNER_DOWN)
    if issued.created:
        certificate = issued.certificate
        messages.success(request, ISSUED.format(title=certificate.title, hint=certificate.code_hint))
    else:
        messages.info(request, ALREADY_ISSUED)
    return redirect("inquiry:certificates")


@method_decorator(never_cache, name="dispatch")
class DepositCertificateIssueView(CertificateListView):
    """开具缴存证明 (POST): 用途 chosen; refused for an account not 正常/封存."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = DepositCertificateForm(request.POST)
        if not form.is_valid():
            return self.render_page(deposit_form=form)
        data = form.cleaned_data

        def refused(message):
            form.add_error(None, message)
            return self.render_page(deposit_form=form)

        return _issue(
            self,
            lambda: deposit_document(
                member=self.member,
                purpose=data["purpose"],
                purpose_text=data["purpose_text"],
                today=timezone.localdate(),
            ),
            data["form_token"],
            refused,
        )


def _first_error(form) -> str:
    """The message of a form's first error (a form of hidden fields and buttons has no place for more)."""
    errors = form.non_field_errors() or [message for messages in form.errors.values() for message in messages]
    return errors[0]


class _KindIssueView(CertificateListView):
    """开具 of a kind without choices of its own (POST): the form names what
    (a contract, a 缴存年度, a date range); a refusal goes to the kind's
    section of 我的证明."""

    http_method_names = ["post"]
    form_class: type
    section: str

    def build(self, data: dict) -> Document:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.render_page(errors={self.section: _first_error(form)})

        def refused(message):
            return self.render_page(errors={self.section: message})

        return _issue(self, lambda: self.build(form.cleaned_data), form.cleaned_data["form_token"], refused)


@method_decorator(never_cache, name="dispatch")
class LoanSettledCertificateIssueView(_KindIssueView):
    """开具贷款结清证明 of one of the member's contracts: another member's is a
    404, one not 结清 is refused with the reason."""

    form_class = LoanSettledCertificateForm
    section = "loan"

    def build(self, data):
        return loan_settled_document(member=self.member, contract_no=data["contract"], today=timezone.localdate())


@method_decorator(never_cache, name="dispatch")
class LedgerCertificateIssueView(_KindIssueView):
    """打印 of 缴存支取信息: the 缴存明细 of the page's range, as a certificate."""

    form_class = LedgerCertificateForm
    section = "ledger"

    def build(self, data):
        return ledger_document(member=self.member, start=data["start"], end=data["end"])


@method_decorator(never_cache, name="dispatch")
class AnnualCertificateIssueView(_KindIssueView):
    """开具年度对账单 of one 缴存年度 whose statement can be issued."""

    form_class = AnnualCertificateForm
    section = "annual"

    def build(self, data):
        return annual_document(member=self.member, year=data["year"], today=timezone.localdate())


@method_decorator(never_cache, name="dispatch")
class CertificateDownloadView(MemberPageMixin, View):
    """下载: the stored PDF, the same bytes whose SHA-256 /verify/ compares."""

    def get(self, request, *args, **kwargs):
        certificate = selectors.certificate_get_for_member(member=self.member, pk=kwargs["pk"])
        if certificate.voided_at is not None:
            messages.error(request, VOID_NO_DOWNLOAD)
            return redirect("inquiry:certificates")
        pdf = selectors.certificate_pdf_bytes(certificate=certificate)
        response = HttpResponse(pdf, content_type="application/pdf")
        issued = timezone.localtime(certificate.issued_at)
        response["Content-Disposition"] = content_disposition(
            f"{certificate.title}_{issued:%Y%m%d%H%M%S}.pdf",
            fallback=f"certificate_{certificate.kind}_{issued:%Y%m%d%H%M%S}.pdf",
            inline=True,
        )
        return response


@method_decorator(never_cache, name="dispatch")
class CertificateVoidView(MemberPageMixin, TemplateView):
    """作废: GET asks 是/否 (works without JavaScript), POST voids at once."""

    template_name = "inquiry/certificates/void_confirm.html"
    nav = "certificates"

    def get(self, request, *args, **kwargs):
        certificate = selectors.certificate_get_for_member(member=self.member, pk=kwargs["pk"])
        if certificate.voided_at is not None:
            messages.error(request, services.ALREADY_VOID)
            return redirect("inquiry:certificates")
        return self.render_to_response(self.get_context_data(certificate=certificate))

    def post(self, request, *args, **kwargs):
        certificate = selectors.certificate_get_for_member(member=self.member, pk=kwargs["pk"])
        try:
            services.certificate_void(certificate=certificate, request=request)
        except CertificateRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, VOIDED)
        return redirect("inquiry:certificates")


def _captcha_field() -> CaptchaField:
    return CaptchaField(label="验证码", error_messages=CAPTCHA_MESSAGES)


def _with_captcha(form, gate: throttle.Gate):
    """Past the free wrong codes each try costs a captcha (a new one each time
    the form is shown)."""
    if gate.captcha and "captcha" not in form.fields:
        form.fields["captcha"] = _captcha_field()
    return form


def _too_many(request, gate: throttle.Gate) -> HttpResponse:
    minutes = math.ceil(gate.retry_after / 60)
    response = render(request, "429.html", {"verify": True, "retry_minutes": minutes}, status=429)
    response["Retry-After"] = str(gate.retry_after)
    return response


def _file_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


# No login; never cached (a certificate's facts are personal data); the code
# travels only in POST bodies (and the QR code's URL fragment, which browsers
# never send), and Django's error reports leave it out.
@method_decorator([login_not_required, never_cache, csrf_protect, sensitive_post_parameters("code")], name="dispatch")
class VerifyView(View):
    """/verify/: anyone holding a certificate checks it by its 核验码. POST
    only does the lookup, so a code never sits in a URL (or an access log).
    Per-IP limits: throttle.py."""

    template_name = "inquiry/certificates/verify.html"
    form_class = VerifyForm
    method = CertificateVerification.Method.CODE

    def get(self, request, *args, **kwargs):
        gate = throttle.verify_gate(ip=client_ip(request))
        if gate.blocked:
            return _too_many(request, gate)
        return self.render_form(_with_captcha(VerifyForm(), gate))

    def render_form(self, form) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "upload_max_mb": upload_max_mb()})

    def post(self, request, *args, **kwargs):
        ip = client_ip(request)
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            # Nothing looked up, nothing counted (no code, no or too big a file).
            gate = throttle.verify_gate(ip=ip)
            return _too_many(request, gate) if gate.blocked else self.render_form(_with_captcha(form, gate))
        captcha_errors: list[str] = []

        def captcha_solved() -> bool:
            # Checked only when the count asks for it (throttle.verify_attempt).
            field = _captcha_field()
            try:
                field.clean(field.widget.value_from_datadict(request.POST, request.FILES, "captcha"))
            except ValidationError as exc:
                captcha_errors.extend(exc.messages)
                return False
            return True

        attempt = throttle.verify_attempt(
            ip=ip,
            captcha_solved=captcha_solved,
            lookup=lambda: selectors.certificate_by_code(form.cleaned_data["code"]),
        )
        if attempt.gate.blocked:
            return _too_many(request, attempt.gate)
        certificate = attempt.found
        if certificate is None:
            form = _with_captcha(form, attempt.gate)
            if attempt.refused:
                form.add_error("captcha", captcha_errors[0] if captcha_errors else CAPTCHA_MESSAGES["required"])
            else:
                form.add_error("code", WRONG_CODE)
            return self.render_form(form)
        file_matches = None
        if "file" in form.cleaned_data:
            # The bytes' digest against the one stored at issue; the file is never parsed or kept.
            file_matches = _file_sha256(form.cleaned_data["file"]) == certificate.pdf_sha256
        services.verification_record(certificate=certificate, method=self.method, ip=ip, file_matches=file_matches)
        return _result(request, certificate, form.cleaned_data["code"], file_matches)


class VerifyUploadView(VerifyView):
    """/verify/file/: the code (from the result page) and the PDF the verifier
    received; its SHA-256 against the one stored at issue, no PDF parsing.
    A missing, empty or too big file is refused before the code is looked up."""

    form_class = VerifyUploadForm
    method = CertificateVerification.Method.UPLOAD

    def get(self, request, *args, **kwargs):
        return redirect("inquiry:verify")


def _result(request, certificate: Certificate, code: str, file_matches: bool | None) -> HttpResponse:
    state = certificate.state_at(timezone.now())
    context = {
        "certificate": certificate,
        "state": state,
        "state_label": Certificate.State(state).label,
        # The normalised code, for the upload form's hidden field (a POST body, never a URL).
        "code": codes.code_normalize(code),
        "upload_max_mb": upload_max_mb(),
        "file_checked": file_matches is not None,
        "file_matches": file_matches,
        "file_message": FILE_MATCHES if file_matches else FILE_DIFFERS,
    }
    return render(request, "inquiry/certificates/verify_result.html", context)
