"""Query forms of the inquiry pages: validation and normalisation only."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from inquiry.amortization import PREPAY_REDUCE, PREPAY_SETTLE, PREPAY_SHORTEN, add_months

MAX_RANGE_YEARS = 30
DATE_FORMAT_HINT = "请输入正确的日期,格式如 2024-01-31"
START_AFTER_END = "开始日期不能晚于结束日期"
RANGE_TOO_LONG = f"查询日期范围不能超过{MAX_RANGE_YEARS}年"
DATE_OUT_OF_RANGE = "日期超出可查询范围"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def render(self, name, value, attrs=None, renderer=None):
        """What Django's django/forms/widgets/input.html (with attrs.html)
        writes, character for character, without rendering a template: the
        two date fields were a quarter of a fresh 缴存支取信息 page's render.
        The page snapshots (zzgjj_portal/tests/test_page_snapshots.py) hold
        the template's output, so any difference fails there."""
        widget = self.get_context(name, value, attrs)["widget"]
        html = f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        if widget["value"] is not None:
            html += f' value="{_text(widget["value"])}"'
        for attr, attr_value in widget["attrs"].items():
            if attr_value is not False:
                html += f" {_text(attr)}" if attr_value is True else f' {_text(attr)}="{_text(attr_value)}"'
        return mark_safe(html + ">")  # noqa: S308 - every part escaped by _text


def _text(value) -> str:
    """A value as {{ value|stringformat:'s' }} writes it: escaped unless already safe."""
    return conditional_escape(value if isinstance(value, SafeData) else str(value))


def _date_field(label: str) -> forms.DateField:
    """An optional date typed as 2024-01-31, 20240131 or 2024/01/31."""
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"],
        widget=DateInput(),
        error_messages={"invalid": DATE_FORMAT_HINT},
    )


class DateRangeForm(forms.Form):
    """开始日期 / 结束日期 of a GET query. Either may be left empty (open).

    Bound to request.GET; a bad date gets a message in the form, never a 500.
    """

    start = _date_field("开始日期")
    end = _date_field("结束日期")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for name in ("start", "end"):
            value = cleaned.get(name)
            # Year 1 or 9999 parse as dates but break month arithmetic further on.
            if value and not (date(1900, 1, 1) <= value <= date(2199, 12, 31)):
                self.add_error(name, DATE_OUT_OF_RANGE)
                return cleaned
        if start and end:
            if start > end:
                raise forms.ValidationError(START_AFTER_END, code="start_after_end")
            if add_months(start, 12 * MAX_RANGE_YEARS) < end:
                raise forms.ValidationError(RANGE_TOO_LONG, code="range_too_long")
        return cleaned


def date_range_form(data, *, default_start: date | None = None, default_end: date | None = None) -> DateRangeForm:
    """The form bound to the query string, or to the defaults when the member
    has not queried yet (so the page opens on e.g. the last 12 months)."""
    if "start" in data or "end" in data:
        return DateRangeForm(data)
    initial = {
        "start": default_start.isoformat() if default_start else "",
        "end": default_end.isoformat() if default_end else "",
    }
    return DateRangeForm(initial)


# 提前还款试算. The rules (also in the report of issue 19): a partial
# prepayment is more than 0 and less than the outstanding principal (paying it
# all is 提前结清, its own choice), in yuan with at most two decimals; 提前结清
# takes the whole outstanding principal, so its amount is not asked for.
PREPAY_MODE_CHOICES = [
    (PREPAY_SHORTEN, "部分提前还本,月供不变、期限缩短"),
    (PREPAY_REDUCE, "部分提前还本,期限不变、月供减少"),
    (PREPAY_SETTLE, "提前结清"),
]
PREPAY_MODE_REQUIRED = "请选择提前还款方式"
PREPAY_AMOUNT_REQUIRED = "请输入提前还款金额"
PREPAY_AMOUNT_INVALID = "提前还款金额须为数字,如 50000 或 50000.00"
PREPAY_AMOUNT_DECIMALS = "提前还款金额最多两位小数"
PREPAY_AMOUNT_RANGE = "提前还款金额须大于0且小于贷款余额"


class PrepaymentTrialForm(forms.Form):
    """提前还款试算 (a GET form: the trial books nothing). `outstanding` is
    the contract's 贷款余额, the bound of a partial prepayment."""

    mode = forms.ChoiceField(
        label="提前还款方式",
        choices=PREPAY_MODE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": PREPAY_MODE_REQUIRED, "invalid_choice": PREPAY_MODE_REQUIRED},
    )
    amount = forms.DecimalField(
        label="提前还款金额(元)",
        required=False,
        # Bounds checked in clean() against the balance, with one message;
        # the digits limit (a balance's own, 14,2) refuses '1e999999' first.
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": PREPAY_AMOUNT_INVALID,
            "max_decimal_places": PREPAY_AMOUNT_DECIMALS,
            "max_digits": PREPAY_AMOUNT_RANGE,
            "max_whole_digits": PREPAY_AMOUNT_RANGE,
        },
    )

    def __init__(self, *args, outstanding: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.outstanding = outstanding

    def clean(self):
        cleaned = super().clean()
        mode, amount = cleaned.get("mode"), cleaned.get("amount")
        if mode == PREPAY_SETTLE:
            # Settling pays the whole balance: whatever was typed is ignored, errors included.
            self.errors.pop("amount", None)
            cleaned["amount"] = None
        elif mode and "amount" not in self.errors:
            if amount is None:
                self.add_error("amount", forms.ValidationError(PREPAY_AMOUNT_REQUIRED, code="required"))
            elif not 0 < amount < self.outstanding:
                self.add_error("amount", forms.ValidationError(PREPAY_AMOUNT_RANGE, code="out_of_range"))
        return cleaned
