"""The date input writes what Django's widget template would, without rendering it."""

from datetime import date

import pytest
from django.utils.safestring import mark_safe

from inquiry.forms import DateInput


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        (date(2024, 1, 31), {"id": "id_start"}),
        ("", {"id": "id_end"}),
        (None, {}),
        ('2025-13-01"><script>', {"id": "id_end", "aria-invalid": "true", "aria-describedby": "id_end_error"}),
        ("x", {"required": True, "disabled": False, "data-x": "a'b&c", "title": mark_safe("<b>")}),
    ],
)
def test_date_input_writes_what_djangos_widget_template_writes(value, attrs):
    from django.forms.widgets import Input

    widget = DateInput()
    # Input.render: the template (django/forms/widgets/input.html) through the form renderer.
    assert widget.render("start", value, attrs) == Input.render(widget, "start", value, attrs)
