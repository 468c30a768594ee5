"""The member password rules (pure, no database)."""

import pytest

from accounts import texts
from accounts.passwords import password_problems

ID_NUMBER = "370403198805152345"
PHONE = "13963245678"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Ab1", texts.PASSWORD_TOO_SHORT),
        ("12345678901", texts.PASSWORD_ONE_CLASS),
        ("abcdefghxyz", texts.PASSWORD_ONE_CLASS),
        ("!!!!????##", texts.PASSWORD_ONE_CLASS),
        ("abcdefg!!", texts.PASSWORD_LETTERS_DIGITS),
        ("1234567!!", texts.PASSWORD_LETTERS_DIGITS),
        ("x370403198805152345", texts.PASSWORD_ID_NUMBER),
        ("a13963245678", texts.PASSWORD_PHONE),
        ("abc19880515", texts.PASSWORD_BIRTH_DATE),
        ("password1", texts.PASSWORD_COMMON),
    ],
)
def test_password_problems_names_each_broken_rule(password, problem):
    assert problem in password_problems(password, id_number=ID_NUMBER, phone=PHONE)


def test_password_problems_accepts_a_good_password():
    assert password_problems("Zz8kq2mwx", id_number=ID_NUMBER, phone=PHONE) == []


def test_password_problems_lists_several_rules_at_once():
    problems = password_problems("19880515", id_number=ID_NUMBER, phone=PHONE)
    assert texts.PASSWORD_ONE_CLASS in problems and texts.PASSWORD_BIRTH_DATE in problems


def test_password_problems_id_number_x_is_case_insensitive():
    id_x = "37040319880515234X"
    assert texts.PASSWORD_ID_NUMBER in password_problems("a37040319880515234x", id_number=id_x)
