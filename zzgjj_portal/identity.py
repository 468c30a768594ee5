"""Resident ID numbers (GB 11643-1999) and mainland mobile numbers (pure, no Django).

The ID check is GB 11643's and nothing more: 18 characters, a real birth date
not in the future, a known province prefix and the check digit. It does not
ask whether the six-digit area code existed at the birth date (python-stdnum
does, and refused real members): counties are renamed and merged over the
decades, the number a person holds keeps the old code, and no table a portal
could ship lists every code a center's members carry.
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_NUMBER_RE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII digits only: int() would read full-width ones
CENTER_TZ = ZoneInfo("Asia/Shanghai")

# The first two digits of the area code (GB/T 2260): the 31 provinces,
# autonomous regions and municipalities, 71 台湾省, 81 香港 and 82 澳门, and
# 83, which the 港澳台居民居住证申领发放办法 (in force 2018-09-01) gives the
# numbers on residence permits of Taiwan residents (830000; those of Hong Kong
# and Macau residents use 810000 and 820000).
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
    | {"71", "81", "82", "83"}
)
# ISO 7064 MOD 11-2: weight 2**(17 - i) mod 11 for the i-th of the first 17 digits.
WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK_CHARACTERS = "10X98765432"  # indexed by the weighted sum mod 11

ERROR_LENGTH = "身份证号应为18位"
ERROR_FORMAT = "身份证号格式不正确"
ERROR_PROVINCE = "身份证号的地区码不正确"
ERROR_BIRTH_DATE = "身份证号中的出生日期不正确"
ERROR_CHECK_DIGIT = "身份证号校验位不正确"


def normalize_id_number(value: str) -> str:
    """Remove spaces (anywhere: people type the number in groups) and store a
    final lowercase `x` as `X`, as the glossary asks."""
    return re.sub(r"\s", "", value or "").upper()


def id_number_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number_birth_date(id_number: str) -> date | None:
    """The birth date inside an 18-character ID number, None if it is not a date."""
    digits = normalize_id_number(id_number)[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def id_number_error(value: str, *, today: date | None = None) -> str | None:
    """The Chinese reason an ID number is invalid, or None when it is valid.

    `today` is the center's date (Asia/Shanghai) unless given: a birth date
    after it is refused."""
    number = normalize_id_number(value)
    if len(number) != 18:
        return ERROR_LENGTH
    if not ID_NUMBER_RE.match(number):
        return ERROR_FORMAT
    if number[:2] not in PROVINCE_CODES:
        return ERROR_PROVINCE
    birth = id_number_birth_date(number)
    if birth is None or birth > (today or datetime.now(CENTER_TZ).date()):
        return ERROR_BIRTH_DATE
    if id_number_check_digit(number[:17]) != number[17]:
        return ERROR_CHECK_DIGIT
    return None


def is_phone(value: str) -> bool:
    """An 11-digit mainland mobile number."""
    return bool(PHONE_RE.match(value or ""))


def birth_date_digits(id_number: str) -> str:
    """The YYYYMMDD birth date inside an 18-digit ID number."""
    return normalize_id_number(id_number)[6:14]
