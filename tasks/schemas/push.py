"""The body of a pushed message (POST /api/messages/): fields only, no writes.

Each value must be a JSON string (a number or a list where text belongs is
refused, not str()-ed); a null is as if the field were left out; text is
stripped of surrounding whitespace; fields the schema does not know are
ignored (as they were before the API was typed: channels already send some).
"""

import re
from datetime import datetime
from typing import Annotated, Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from tasks.models.messages import (
    BUSINESS_MAX_LENGTH,
    CONTENT_MAX_LENGTH,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    SENT_AT_AHEAD,
    SENT_AT_EARLIEST,
)
from tasks.schemas.common import ERROR_NOT_STRING, refusal, text
from zzgjj_portal.identity import id_number_error, normalize_id_number

ERROR_SENT_AT = "发送时间应为ISO 8601格式,例如 2026-11-28T09:30:00+08:00。"
ERROR_SENT_AT_RANGE = "发送时间应不早于{earliest:%Y-%m-%d},且不晚于当前时间后{days}天。"
ERROR_KEY = "幂等键只能包含字母、数字和 - _ . :"
ERROR_UNKNOWN_MEMBER = "未找到该身份证号的缴存职工。"
KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]+$")
ID_NUMBER_LENGTH = 18
# The shape only; the check digit and the member are checked after it.
ID_NUMBER_PATTERN = r"^\s*\d{17}[\dXx]\s*$"


def _id_number(value: str) -> str:
    value = normalize_id_number(value)
    error = id_number_error(value)
    if error:
        raise refusal(error)
    return value


def _idempotency_key(value: str) -> str:
    if not KEY_RE.match(value):
        raise refusal(ERROR_KEY)
    return value


def _sent_at(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise refusal(ERROR_NOT_STRING)
    value = value.strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise refusal(ERROR_SENT_AT)
    # A time without an offset is the center's local time (Asia/Shanghai).
    parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    # Aware datetimes compare by their UTC instant without building it, so
    # year 9999 at -12:00 (year 10000 in UTC) is refused here, not overflowed.
    if not SENT_AT_EARLIEST <= parsed <= timezone.now() + SENT_AT_AHEAD:
        raise refusal(ERROR_SENT_AT_RANGE.format(earliest=SENT_AT_EARLIEST, days=SENT_AT_AHEAD.days))
    return parsed


class PushIn(BaseModel):
    """A message for one member's 消息 list."""

    model_config = ConfigDict(
        str_strip_whitespace=True,
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "id_number": "370402199001011238",
                    "business": "提取到账",
                    "content": "您的住房公积金提取款5,000.00元已转入您的银行账户。",
                    "sent_at": "2026-11-28T09:30:00+08:00",
                    "idempotency_key": "counter-20261128-000123",
                }
            ]
        },
    )

    id_number: Annotated[
        str,
        Field(
            min_length=1,
            max_length=ID_NUMBER_LENGTH,
            description="身份证号 of a member known to the center (18 characters, valid check digit; "
            "a final x is accepted as X).",
            json_schema_extra={"pattern": ID_NUMBER_PATTERN},
        ),
        AfterValidator(_id_number),
    ]
    business: Annotated[text(max_length=BUSINESS_MAX_LENGTH), Field(description="业务名称")]
    content: Annotated[text(max_length=CONTENT_MAX_LENGTH), Field(description="消息内容")]
    sent_at: Annotated[
        datetime | None,
        BeforeValidator(_sent_at),
        WithJsonSchema(
            {
                # null is as if left out (as before the typed API).
                "type": ["string", "null"],
                "format": "date-time",
                "description": "发送时间, ISO 8601; without an offset it is Asia/Shanghai time. Not before "
                "2000-01-01T00:00:00+08:00 and not more than one day after the time received. "
                "Default: when received.",
            }
        ),
    ] = None
    idempotency_key: Annotated[
        str,
        Field(
            min_length=1,
            max_length=IDEMPOTENCY_KEY_MAX_LENGTH,
            description="Unique per channel: repeating a key with the same message returns the first message "
            "(200) instead of creating another; with another message it is refused (409).",
            json_schema_extra={"pattern": KEY_RE.pattern},
        ),
        AfterValidator(_idempotency_key),
    ]

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        # A channel that writes "sent_at": null means "not given", as before.
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value is not None}
        return data


class PushedOut(BaseModel):
    id: int = Field(description="The message's id.")
