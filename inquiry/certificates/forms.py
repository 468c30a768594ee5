"""Forms of certificates: validation and normalisation only."""

from django import forms
from django.conf import settings

from inquiry.forms import DateRangeForm
from inquiry.models import CertificatePurpose

FORM_EXPIRED = "页面已过期,请重新打开后再开具"
CHOOSE_PURPOSE = "请选择用途"
PURPOSE_TEXT_REQUIRED = "用途选择【其他】时,请填写用途说明"
PURPOSE_TEXT_TOO_LONG = "用途说明不能超过20个字"
CODE_REQUIRED = "请输入核验码"
VOID_REASON_REQUIRED = "请填写作废原因"
VOID_REASON_TOO_LONG = "作废原因不能超过100个字(现为%(show_value)d个字)"
FILE_REQUIRED = "请选择要比对的PDF文件"
FILE_EMPTY = "所选文件为空,请选择收到的PDF文件"
FILE_TOO_BIG = "文件不能超过{mb}MB"


def upload_max_mb() -> int:
    """INQUIRY_VERIFY_UPLOAD_MAX_BYTES as the pages and messages say it."""
    return settings.INQUIRY_VERIFY_UPLOAD_MAX_BYTES // (1024 * 1024)


CHOOSE_CONTRACT = "请选择借款合同"
CHOOSE_YEAR = "请选择缴存年度"


class TokenForm(forms.Form):
    """The per-form token: one certificate per issuing form shown, however often it is posted."""

    form_token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": FORM_EXPIRED, "invalid": FORM_EXPIRED}
    )


class DepositCertificateForm(TokenForm):
    purpose = forms.ChoiceField(
        label="用途",
        choices=[("", "请选择"), *CertificatePurpose.choices],
        error_messages={"required": CHOOSE_PURPOSE, "invalid_choice": CHOOSE_PURPOSE},
    )
    purpose_text = forms.CharField(
        label="用途说明",
        required=False,
        max_length=20,
        strip=True,
        error_messages={"max_length": PURPOSE_TEXT_TOO_LONG},
        widget=forms.TextInput(attrs={"maxlength": 20, "placeholder": "选择【其他】时填写"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("purpose") == CertificatePurpose.OTHER and not data.get("purpose_text"):
            self.add_error("purpose_text", PURPOSE_TEXT_REQUIRED)
        elif data.get("purpose") and data.get("purpose") != CertificatePurpose.OTHER:
            data["purpose_text"] = ""
        return data


class LoanSettledCertificateForm(TokenForm):
    """开具贷款结清证明 of one contract (whose it is: the ownership gate)."""

    contract = forms.CharField(
        max_length=32, error_messages={"required": CHOOSE_CONTRACT, "max_length": CHOOSE_CONTRACT}
    )


class LedgerCertificateForm(TokenForm, DateRangeForm):
    """打印 of 缴存支取信息: the page's range, by the page's rules (at most
    30 years, start not after end; either end may be open)."""


class AnnualCertificateForm(TokenForm):
    """开具年度对账单 of the 缴存年度 starting on 1 July `year`."""

    year = forms.IntegerField(
        min_value=1900,
        max_value=2199,
        error_messages={key: CHOOSE_YEAR for key in ("required", "invalid", "min_value", "max_value")},
    )


class VerifyForm(forms.Form):
    # No length check here: whatever was typed goes to the lookup, so a
    # malformed code (too long, too short, a wrong character) is answered and
    # counted exactly as an unknown one (selectors.certificate_by_code).
    code = forms.CharField(
        label="核验码",
        strip=True,
        error_messages={"required": CODE_REQUIRED},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "maxlength": 40}
        ),
    )


class VerifyUploadForm(VerifyForm):
    file = forms.FileField(
        label="证明文件(PDF)",
        error_messages={"required": FILE_REQUIRED, "empty": FILE_EMPTY, "invalid": FILE_REQUIRED},
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.INQUIRY_VERIFY_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(FILE_TOO_BIG.format(mb=upload_max_mb()), code="too_big")
        return upload


class VoidForm(forms.Form):
    """The reason for voiding, which the member reads on 我的证明."""

    reason = forms.CharField(
        label="作废原因",
        max_length=100,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "maxlength": 100}),
        help_text="必填,不超过100个字。缴存职工在【我的证明】中可以看到作废原因。",
        error_messages={
            "required": VOID_REASON_REQUIRED,
            "max_length": "作废原因不能超过100个字(现为%(show_value)d个字)",
        },
    )
