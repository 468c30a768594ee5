"""Query forms of the inquiry pages: validation and normalisation only."""

from datetime import date

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

from inquiry.amortization import add_months

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
