"""What every machine endpoint's schemas share: text that a database can
store, the error answer, and the Chinese words for each kind of bad input."""

from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

# The type of the errors our own checks raise: their message is already the
# Chinese sentence the caller reads (tasks/api.py passes it through).
INVALID = "invalid"

ERROR_BAD_CHARACTERS = "含有无效的字符。"
ERROR_REQUIRED = "此字段必填。"
ERROR_NOT_STRING = "应为字符串。"
ERROR_OTHER = "值无效。"

# pydantic's error types, in our words; {name} is filled from the error's
# context (its limit). Anything not listed reads ERROR_OTHER, never English.
ERROR_MESSAGES = {
    "missing": ERROR_REQUIRED,
    # Every text field here has min_length 1 (blank after stripping is not given).
    "string_too_short": ERROR_REQUIRED,
    "string_type": ERROR_NOT_STRING,
    # A lone surrogate ("\udcff" in the JSON): no encoding, so no database, can hold it.
    "string_unicode": ERROR_BAD_CHARACTERS,
    "string_too_long": "不能超过{max_length}个字符。",
    "int_type": "应为整数。",
    "int_parsing": "应为整数。",
    "int_from_float": "应为整数。",
    # Thousands of digits: too large to read at all.
    "int_parsing_size": "数值过大。",
    "greater_than_equal": "不能小于{ge}。",
    "less_than_equal": "不能大于{le}。",
    "list_type": "应为数组。",
    "too_short": "至少应有{min_length}项。",
    "too_long": "最多{max_length}项。",
    "extra_forbidden": "不是此接口的字段。",
    # Ours (tasks/views/core.py): a query parameter given more than once.
    "repeated": "只能给出一次。",
    "model_type": "应为 JSON 对象。",
    "model_attributes_type": "应为 JSON 对象。",
    "dict_type": "应为 JSON 对象。",
}


def refusal(message: str) -> PydanticCustomError:
    """A validation error whose message is `message` as written (Chinese)."""
    # Braces would be read as placeholders of the template: double them.
    return PydanticCustomError(INVALID, message.replace("{", "{{").replace("}", "}}"))


# Not blank (surrounding whitespace is stripped) and no NUL.
TEXT_PATTERN = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


def _storable(value: str) -> str:
    # PostgreSQL cannot store NUL in text (it would answer 500 at the INSERT).
    if "\x00" in value:
        raise refusal(ERROR_BAD_CHARACTERS)
    return value


def text(*, min_length: int = 1, max_length: int, strip: bool = True) -> type[str]:
    """Text a database can store, of 1..max_length characters after stripping
    surrounding whitespace: pydantic refuses lone surrogates (string_unicode),
    NUL is refused here. The length is checked on the string itself (so its
    errors are the text's, not a list's), before the NUL check."""
    constraints = StringConstraints(strip_whitespace=strip, min_length=min_length, max_length=max_length)
    # The document says it too, so that generated clients and fuzzers know.
    pattern = Field(json_schema_extra={"pattern": TEXT_PATTERN})
    return Annotated[str, constraints, AfterValidator(_storable), pattern]


class ErrorOut(Schema):
    """Every refusal (4xx) of the machine endpoints."""

    error: str = Field(description="What went wrong, in Chinese.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="400 and 409: per field, its errors (empty when the body as a whole is refused: "
        "content type, not a JSON object, too large). Absent on 401 and 429.",
    )
