"""Reads behind the member's pages. Every function starts from the member."""

from dataclasses import dataclass

from django.db.models import QuerySet

from inquiry.models import FundAccount, LoanContract, Member


@dataclass(frozen=True)
class HomeSummary:
    account: FundAccount | None
    loans: list[LoanContract]


def member_fund_account(*, member: Member) -> FundAccount | None:
    """The member's fund account with its employer, or None (not yet opened)."""
    return FundAccount.objects.select_related("employer").filter(member=member).first()


def member_loans(*, member: Member) -> QuerySet[LoanContract]:
    """The member's loan contracts, oldest application first."""
    return LoanContract.objects.filter(member=member).order_by("applied_on", "id")


def home_summary(*, member: Member) -> HomeSummary:
    """我的公积金 and 我的贷款 on the personal home page: two queries."""
    return HomeSummary(account=member_fund_account(member=member), loans=list(member_loans(member=member)))
