"""What the records add to the member frame's 信息查询 menu."""

from inquiry import selectors
from zzgjj_portal.frame import menu_provider


@menu_provider
def loan_entries(member, context: dict) -> dict:
    """The four loan entries show only for a member with a contract (manual,
    chapter 3); pages that listed the contracts already know."""
    if "has_loans" in context:
        return {}
    return {"has_loans": selectors.member_has_loans(member=member)}
