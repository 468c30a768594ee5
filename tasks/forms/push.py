"""Validation of a pushed message (POST /api/messages/): fields only, no writes."""

import re

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from inquiry.models import Member
from tasks.models.messages import (
    BUSINESS_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    SENT_AT_AHEAD,
    SENT_AT_EARLIEST,
)
from zzgjj_portal.identity import id_number_error, normalize_id_number

ERROR_REQUIRED = "此字段必填。"
ERROR_NOT_STRING = "应为字符串。"
ERROR_BAD_CHARACTERS = "含有无效的字符。"
ERROR_TOO_LONG = "不能超过{limit}个字符。"
ERROR_UNKNOWN_MEMBER = "未找到该身份证号的缴存职工。"
ERROR_SENT_AT = "发送时间应为ISO 8601格式,例如 2026-11-28T09:30:00+08:00。"
ERROR_SENT_AT_RANGE = "发送时间应不早于{earliest:%Y-%m-%d},且不晚于当前时间后{days}天。"
ERROR_KEY = "幂等键只能包含字母、数字和 - _ . :"
KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]+$")

FIELDS = ("id_number", "business", "content", "sent_at", "idempotency_key")


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class PushForm(forms.Form):
    """The JSON body of a push: every value must be a JSON string."""

    id_number = forms.CharField(max_length=18, error_messages={"required": ERROR_REQUIRED})
    business = forms.CharField(max_length=BUSINESS_MAX_LENGTH, error_messages={"required": ERROR_REQUIRED})
    content = forms.CharField(max_length=CONTENT_MAX_LENGTH, error_messages={"required": ERROR_REQUIRED})
    sent_at = forms.CharField(required=False)
    idempotency_key = forms.CharField(
        max_length=IDEMPOTENCY_KEY_MAX_LENGTH, error_messages={"required": ERROR_REQUIRED}
    )

    def __init__(self, payload: dict):
        # Numbers, lists or objects where text is expected are refused, not str()-ed.
        self.type_errors = {
            name: ERROR_NOT_STRING
            for name in FIELDS
            if payload.get(name) is not None and not isinstance(payload[name], str)
        }
        # JSON may escape a lone surrogate ("\udcff"): Python keeps it in a str,
        # but no database can store it (UTF-8 has no encoding for it).
        self.type_errors.update(
            {
                name: ERROR_BAD_CHARACTERS
                for name in FIELDS
                if isinstance(payload.get(name), str) and _has_surrogate(payload[name])
            }
        )
        data = {name: payload[name] for name in FIELDS if isinstance(payload.get(name), str)}
        super().__init__(data)
        for field in self.fields.values():
            if field.max_length:
                field.error_messages["max_length"] = ERROR_TOO_LONG.format(limit=field.max_length)

    def full_clean(self):
        super().full_clean()
        for name, message in self.type_errors.items():
            self.errors.pop(name, None)
            self.add_error(name, message)
            self.cleaned_data.pop(name, None)

    def clean_id_number(self) -> Member:
        value = normalize_id_number(self.cleaned_data["id_number"])
        error = id_number_error(value)
        if error:
            raise forms.ValidationError(error)
        member = Member.objects.filter(id_number=value).first()
        if member is None:
            raise forms.ValidationError(ERROR_UNKNOWN_MEMBER)
        return member

    def clean_sent_at(self):
        value = self.cleaned_data["sent_at"].strip()
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(ERROR_SENT_AT)
        # A time without an offset is the center's local time (Asia/Shanghai).
        parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        # Aware datetimes compare by their UTC instant without building it, so
        # year 9999 at -12:00 (year 10000 in UTC) is refused here, not overflowed.
        if not SENT_AT_EARLIEST <= parsed <= timezone.now() + SENT_AT_AHEAD:
            raise forms.ValidationError(ERROR_SENT_AT_RANGE.format(earliest=SENT_AT_EARLIEST, days=SENT_AT_AHEAD.days))
        return parsed

    def clean_idempotency_key(self) -> str:
        value = self.cleaned_data["idempotency_key"]
        if not KEY_RE.match(value):
            raise forms.ValidationError(ERROR_KEY)
        return value
