"""The member password rules, each with its own Chinese message."""

from functools import cache

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from accounts import texts
from zzgjj_portal.identity import birth_date_digits


@cache
def _common_passwords() -> frozenset[str]:
    # Django's list of 20,000 common passwords, loaded once per process.
    return frozenset(CommonPasswordValidator().passwords)


def password_problems(password: str, *, id_number: str = "", phone: str = "") -> list[str]:
    """Every rule `password` breaks, in the order a member should fix them."""
    problems = []
    if len(password) < settings.ACCOUNTS_PASSWORD_MIN_LENGTH:
        problems.append(texts.PASSWORD_TOO_SHORT)
    has_letter = any(ch.isascii() and ch.isalpha() for ch in password)
    has_digit = any(ch.isdigit() for ch in password)
    classes = {("digit" if ch.isdigit() else "letter" if ch.isalpha() else "other") for ch in password}
    if password and len(classes) == 1:
        problems.append(texts.PASSWORD_ONE_CLASS)
    elif not (has_letter and has_digit):
        problems.append(texts.PASSWORD_LETTERS_DIGITS)
    lowered = password.lower()
    if id_number and id_number.lower() in lowered:
        problems.append(texts.PASSWORD_ID_NUMBER)
    if phone and phone in password:
        problems.append(texts.PASSWORD_PHONE)
    if id_number and len(id_number) == 18 and birth_date_digits(id_number) in password:
        problems.append(texts.PASSWORD_BIRTH_DATE)
    if lowered.strip() in _common_passwords():
        problems.append(texts.PASSWORD_COMMON)
    return problems


def validate_member_password(password: str, member=None) -> None:
    """Raise ValidationError listing every broken rule (member may be None)."""
    problems = password_problems(
        password,
        id_number=getattr(member, "id_number", "") or "",
        phone=getattr(member, "phone", "") or "",
    )
    if problems:
        raise ValidationError(problems, code="password_rules")
