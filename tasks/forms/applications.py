"""Forms of the applications (提取申请, 贷款申请): validation and normalisation only.

The center's rules (limits, account status, eligibility) live in
tasks.eligibility and are applied by the services, which refuse with a
message; these forms only check that what was typed is well formed.
"""

from decimal import Decimal

from django import forms

from inquiry.models import RepaymentMethod
from tasks.models.applications import Application
from zzgjj_portal.identity import id_number_error, normalize_id_number

REQUIRED = "请填写{label}"
AMOUNT_INVALID = "请输入正确的金额,如 5000.00"
AMOUNT_DECIMALS = "金额最多保留两位小数"
AMOUNT_TOO_BIG = "金额过大"
AMOUNT_NOT_POSITIVE = "金额须大于0"
TERM_INVALID = "贷款年限须为1至30的整数"
CHOOSE = "请选择{label}"
CO_BORROWER_BOTH = "共同借款人的姓名和身份证号须同时填写"
FORM_EXPIRED = "页面已过期,请重新填写"


def money_field(label: str, *, required: bool = True) -> forms.DecimalField:
    """A money amount: positive, at most two decimals, with Chinese messages."""
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": REQUIRED.format(label=label),
            "invalid": AMOUNT_INVALID,
            "max_decimal_places": AMOUNT_DECIMALS,
            "max_digits": AMOUNT_TOO_BIG,
            "max_whole_digits": AMOUNT_TOO_BIG,
            "min_value": AMOUNT_NOT_POSITIVE,
        },
    )


class TokenForm(forms.Form):
    """The per-form token: one application per form shown, however often it is posted."""

    form_token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": FORM_EXPIRED, "invalid": FORM_EXPIRED}
    )


class WithdrawalForm(TokenForm):
    withdrawal_kind = forms.ChoiceField(
        label="提取类型",
        choices=Application.WithdrawalKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE.format(label="提取类型"), "invalid_choice": CHOOSE.format(label="提取类型")},
    )
    # Not required: 离退休提取 takes the whole balance (the service fills it in).
    amount = money_field("提取金额(元)", required=False)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("withdrawal_kind")
        needs_amount = kind and kind != Application.WithdrawalKind.RETIREMENT
        if needs_amount and cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", REQUIRED.format(label="提取金额"))
        return cleaned


class LoanTrialForm(forms.Form):
    """贷款试算: what the trial needs (amount, term, method)."""

    amount = money_field("贷款金额(元)")
    term_years = forms.IntegerField(
        label="贷款年限(年)",
        min_value=1,
        max_value=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": REQUIRED.format(label="贷款年限"),
            "invalid": TERM_INVALID,
            "min_value": TERM_INVALID,
            "max_value": TERM_INVALID,
        },
    )
    repayment_method = forms.ChoiceField(
        label="还款方式",
        choices=RepaymentMethod.choices,
        widget=forms.RadioSelect,
        initial=RepaymentMethod.EQUAL_INSTALLMENT,
        error_messages={"required": CHOOSE.format(label="还款方式"), "invalid_choice": CHOOSE.format(label="还款方式")},
    )


class LoanApplicationForm(TokenForm, LoanTrialForm):
    """贷款申请: the trial's fields, the property and an optional co-borrower."""

    property_address = forms.CharField(
        label="房屋坐落",
        max_length=200,
        error_messages={"required": REQUIRED.format(label="房屋坐落"), "max_length": "房屋坐落最多200字"},
    )
    property_price = money_field("房屋总价(元)")
    co_borrower_name = forms.CharField(
        label="共同借款人姓名(选填)", max_length=50, required=False, error_messages={"max_length": "姓名最多50字"}
    )
    co_borrower_id_number = forms.CharField(label="共同借款人身份证号(选填)", max_length=20, required=False)

    field_order = [
        "amount",
        "term_years",
        "repayment_method",
        "property_address",
        "property_price",
        "co_borrower_name",
        "co_borrower_id_number",
    ]

    def clean_co_borrower_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data.get("co_borrower_id_number", ""))
        if value:
            error = id_number_error(value)
            if error:
                raise forms.ValidationError(error, code="invalid_id_number")
        return value

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("co_borrower_name") or "").strip()
        cleaned["co_borrower_name"] = name
        number = cleaned.get("co_borrower_id_number")
        if "co_borrower_id_number" not in self.errors and bool(name) != bool(number):
            raise forms.ValidationError(CO_BORROWER_BOTH, code="co_borrower_both")
        return cleaned
