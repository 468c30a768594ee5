"""Resident ID numbers (GB 11643-1999) and mainland mobile numbers (pure, no Django)."""

import re

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")

ID_NUMBER_ERRORS = {
    InvalidLength: "身份证号应为18位",
    InvalidFormat: "身份证号格式不正确",
    InvalidChecksum: "身份证号校验位不正确",
    InvalidComponent: "身份证号中的出生日期或地区码不正确",
}


def normalize_id_number(value: str) -> str:
    """Strip spaces and store a final lowercase `x` as `X`, as the glossary asks."""
    return ric.compact(value or "").upper()


def id_number_error(value: str) -> str | None:
    """The Chinese reason an ID number is invalid, or None when it is valid.

    stdnum checks length, digits, the check digit, the birth date and the area code.
    """
    try:
        ric.validate(normalize_id_number(value))
    except ValidationError as exc:
        for exc_type, message in ID_NUMBER_ERRORS.items():
            if isinstance(exc, exc_type):
                return message
        return "身份证号不正确"
    return None


def is_phone(value: str) -> bool:
    """An 11-digit mainland mobile number."""
    return bool(PHONE_RE.match(value or ""))


def birth_date_digits(id_number: str) -> str:
    """The YYYYMMDD birth date inside an 18-digit ID number."""
    return normalize_id_number(id_number)[6:14]
