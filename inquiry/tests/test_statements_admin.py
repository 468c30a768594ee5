"""年度对账单 in admin: an account's years, for staff who may view the account and its ledger."""

from datetime import date, datetime
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StaffUserFactory
from conftest import log_in_staff
from inquiry.models import LedgerEntry
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Late October 2025: 2025-2026 is the current 缴存年度."""
    now = timezone.make_aware(datetime(2025, 10, 31, 10, 0))
    monkeypatch.setattr(timezone, "now", lambda: now)


@pytest.fixture
def account():
    """Two ended years; the second one's 30 June balance is 0.05 short of its entries."""
    account = FundAccountFactory(balance=Decimal("2424.95"))
    for day, kind, amount, after in [
        (date(2023, 8, 15), LedgerEntry.Kind.MONTHLY_DEPOSIT, "1200.00", "1200.00"),
        (date(2024, 6, 30), LedgerEntry.Kind.INTEREST, "12.50", "1212.50"),
        (date(2024, 8, 15), LedgerEntry.Kind.MONTHLY_DEPOSIT, "1200.00", "2412.50"),
        (date(2025, 6, 30), LedgerEntry.Kind.INTEREST, "12.50", "2424.95"),
    ]:
        LedgerEntryFactory(account=account, booked_on=day, kind=kind, amount=Decimal(amount), balance_after=after)
    return account


def url(account) -> str:
    return reverse("admin:inquiry_fundaccount_statements", args=[account.pk])


def staff_with(client, *codenames: str, group: str | None = None):
    user = StaffUserFactory(is_superuser=False)
    if group:
        user.groups.add(Group.objects.get(name=group))
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="inquiry", codename__in=codenames))
    return log_in_staff(client, user)


def rows_of(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return body.split("<tr>")[1:]


def test_statements_admin_shows_each_years_figures_and_the_difference_to_the_hall_clerk(client, account):
    clerk = staff_with(client, group="大厅柜员")
    response = clerk.get(url(account))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    first, second, current = rows_of(html)
    assert "2023-07-01 至 2024-06-30" in first and "可出具" in first and "1,212.50" in first
    assert "2024-07-01 至 2025-06-30" in second
    # Opening 1,212.50 + 1,200.00 + 12.50 is 2,425.00; the ledger says 2,424.95.
    assert "核对不符,暂不出具" in second and "-0.05" in second and "2,424.95" in second
    assert "年度未结束" in current
    assert "1个缴存年度核对不符" in html


def test_statements_admin_is_linked_from_the_account_page(staff_client, account):
    html = staff_client.get(reverse("admin:inquiry_fundaccount_change", args=[account.pk])).content.decode()
    assert f'href="{url(account)}"' in html


@pytest.mark.parametrize("codenames", [(), ("view_fundaccount",), ("view_ledgerentry",)])
def test_statements_admin_refuses_staff_without_both_view_permissions(client, account, codenames):
    response = staff_with(client, *codenames).get(url(account))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_statements_admin_with_both_view_permissions_is_allowed(client, account):
    response = staff_with(client, "view_fundaccount", "view_ledgerentry").get(url(account))
    assert response.status_code == HTTPStatus.OK


def test_statements_admin_sends_a_visitor_to_the_login(client, account):
    response = client.get(url(account))
    assert response.status_code == HTTPStatus.FOUND and "login" in response["Location"]


def test_statements_admin_unknown_account_is_not_found(staff_client):
    assert staff_client.get(reverse("admin:inquiry_fundaccount_statements", args=[999999])).status_code == 404
