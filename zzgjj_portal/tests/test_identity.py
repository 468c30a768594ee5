"""The ID number check (GB 11643), pure: no database."""

from datetime import date

import pytest

from zzgjj_portal.identity import (
    ERROR_BIRTH_DATE,
    ERROR_CHECK_DIGIT,
    ERROR_FORMAT,
    ERROR_LENGTH,
    ERROR_PROVINCE,
    id_number_birth_date,
    id_number_check_digit,
    id_number_error,
    normalize_id_number,
)

TODAY = date(2026, 11, 28)


def with_check_digit(first17: str) -> str:
    return first17 + id_number_check_digit(first17)


def test_id_number_check_digit_matches_the_standards_example():
    # GB 11643-1999's own worked example, and one whose check character is 0.
    assert id_number_check_digit("11010519491231002") == "X"
    assert id_number_check_digit("37040219900101123") == "8"


@pytest.mark.parametrize(
    "number",
    [
        "370402199001011238",  # README's 王晓明
        "370481198203209171",  # README's 李军: python-stdnum refused 370481 for 1982
        "370405197910276188",  # README's 周芳: python-stdnum refused 370405 for 1979
        "11010519491231002X",
    ],
)
def test_id_number_error_accepts_real_members_numbers(number):
    assert id_number_error(number, today=TODAY) is None


def test_id_number_error_does_not_ask_whether_the_county_code_exists():
    # 379999 names no county in any table; the province (37 山东) and the rest are right.
    assert id_number_error(with_check_digit("37999919800101123"), today=TODAY) is None


@pytest.mark.parametrize("province", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65"])
def test_id_number_error_accepts_each_mainland_province_range_edge(province):
    assert id_number_error(with_check_digit(f"{province}010219800101123"), today=TODAY) is None


@pytest.mark.parametrize("province", ["71", "81", "82", "83"])
def test_id_number_error_accepts_taiwan_hong_kong_macau_and_residence_permit_codes(province):
    # 830000 is on the residence permits of Taiwan residents (810000/820000: Hong Kong, Macau).
    assert id_number_error(with_check_digit(f"{province}000019850615123"), today=TODAY) is None


@pytest.mark.parametrize(
    "province",
    ["00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66", "70", "72", "80", "84", "91", "99"],
)
def test_id_number_error_refuses_an_unknown_province(province):
    assert id_number_error(with_check_digit(f"{province}010219800101123"), today=TODAY) == ERROR_PROVINCE


@pytest.mark.parametrize(
    ("first17", "why"),
    [
        ("37040219901301123", "month 13"),
        ("37040219900230123", "30 February"),
        ("37040219000229123", "1900 was no leap year"),
        ("37040200000101123", "year 0"),
        ("37040220261129123", "tomorrow"),
    ],
)
def test_id_number_error_refuses_a_birth_date_that_is_no_date_or_in_the_future(first17, why):
    assert id_number_error(with_check_digit(first17), today=TODAY) == ERROR_BIRTH_DATE, why


def test_id_number_error_accepts_a_birth_today_and_on_29_february():
    assert id_number_error(with_check_digit("37040220261128123"), today=TODAY) is None
    assert id_number_error(with_check_digit("37040220000229123"), today=TODAY) is None


def test_id_number_error_without_today_uses_the_real_date():
    assert id_number_error(with_check_digit("37040299991231123")) == ERROR_BIRTH_DATE
    assert id_number_error("370402199001011238") is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", ERROR_LENGTH),
        ("37040219900101123", ERROR_LENGTH),
        ("3704021990010112388", ERROR_LENGTH),
        ("370402199001011239", ERROR_CHECK_DIGIT),
        ("370402199001011X38", ERROR_FORMAT),
        ("37040219900101123Y", ERROR_FORMAT),
        ("３７０４０２１９９００１０１１２３８", ERROR_FORMAT),  # full-width digits are not ASCII digits
    ],
)
def test_id_number_error_names_the_problem(value, error):
    assert id_number_error(value, today=TODAY) == error


def test_id_number_lowercase_x_and_spaces_are_normalised():
    assert normalize_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert id_number_error("11010519491231002x", today=TODAY) is None


def test_id_number_birth_date():
    assert id_number_birth_date("370402199001011238") == date(1990, 1, 1)
    assert id_number_birth_date("370402199013011238") is None
