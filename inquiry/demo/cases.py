"""The table of demo cases: which generated member shows which case.

Together the rows cover every case the portal's pages show: members without a
reserved phone or not registered online, sealed (封存), closed (销户) and
frozen (冻结) accounts, withdrawals, back payments and transfers in, and
members with no loan, a running loan, a settled and a running loan, or a loan
applied for and not yet disbursed (未发放). Row N is the N-th generated member
(after the two named demo members); a larger demo set starts the table again.
"""

import enum
from dataclasses import dataclass

from inquiry.models import AccountStatus

NORMAL = AccountStatus.NORMAL
SEALED = AccountStatus.SEALED
CLOSED = AccountStatus.CLOSED_WITHDRAWN
FROZEN = AccountStatus.FROZEN

# Deposits stop this many months before the demo date for an account that is
# sealed (left the employer) or closed (everything withdrawn two months later).
STOPPED_MONTHS_AGO = {SEALED: 14, CLOSED: 8}


class Loans(enum.Enum):
    NONE = "none"
    RUNNING = "running"  # one loan being repaid
    RUNNING_AFTER_SETTLED = "running_after_settled"  # and, 10+ years in, an earlier settled one
    APPLIED = "applied"  # applied for a few weeks ago, not yet disbursed (未发放)


@dataclass(frozen=True)
class Case:
    employer: int  # index into members.EMPLOYERS
    phone: bool = True  # left a reserved phone with the center
    online: bool = True  # registered online: has a login
    status: AccountStatus = NORMAL
    withdraws: bool = False
    back_pays: bool = False
    transfer_in: bool = False
    loans: Loans = Loans.NONE  # given only to members of 3+ years (see members.py)


RUNNING, RUNNING_AFTER_SETTLED, APPLIED = Loans.RUNNING, Loans.RUNNING_AFTER_SETTLED, Loans.APPLIED

CASES = [
    Case(employer=0, loans=RUNNING),
    Case(employer=1, withdraws=True),
    Case(employer=2, back_pays=True, loans=RUNNING_AFTER_SETTLED),
    Case(employer=3, online=False),
    Case(employer=4, phone=False, loans=APPLIED),
    Case(employer=5, withdraws=True, transfer_in=True, loans=RUNNING),
    Case(employer=6, status=SEALED),
    Case(employer=0, status=CLOSED),
    Case(employer=1, online=False, back_pays=True),
    Case(employer=2, withdraws=True, loans=APPLIED),
    Case(employer=3, loans=RUNNING),
    Case(employer=4, status=FROZEN),
    Case(employer=5, loans=RUNNING_AFTER_SETTLED),
    Case(employer=6, phone=False, online=False, withdraws=True),
    Case(employer=0, back_pays=True, loans=APPLIED),
    Case(employer=1, transfer_in=True, loans=RUNNING),
    Case(employer=2),
    Case(employer=3, withdraws=True, loans=RUNNING_AFTER_SETTLED),
    Case(employer=4, online=False),
    Case(employer=5, status=SEALED, loans=APPLIED),
    Case(employer=6, back_pays=True, loans=RUNNING),
    Case(employer=0, withdraws=True),
    Case(employer=1, phone=False, loans=RUNNING_AFTER_SETTLED),
    Case(employer=2, online=False),
    Case(employer=3, loans=APPLIED),
    Case(employer=4, withdraws=True, transfer_in=True, loans=RUNNING),
    Case(employer=5, back_pays=True),
    Case(employer=6, loans=RUNNING_AFTER_SETTLED),
    Case(employer=0, online=False),
    Case(employer=1, withdraws=True, loans=APPLIED),
    Case(employer=2, loans=RUNNING),
    Case(employer=3, phone=False),
    Case(employer=4, status=SEALED, back_pays=True, loans=RUNNING_AFTER_SETTLED),
    Case(employer=5, online=False, withdraws=True),
    Case(employer=6, loans=APPLIED),
    Case(employer=0, transfer_in=True, loans=RUNNING),
    Case(employer=1),
    Case(employer=2, withdraws=True, loans=RUNNING_AFTER_SETTLED),
    Case(employer=3, online=False, back_pays=True),
    Case(employer=4, loans=APPLIED),
    Case(employer=5, phone=False, loans=RUNNING),
    Case(employer=6, withdraws=True),
    Case(employer=0, loans=RUNNING_AFTER_SETTLED),
    Case(employer=1, online=False),
    Case(employer=2, back_pays=True, loans=APPLIED),
    Case(employer=3, status=SEALED, withdraws=True, transfer_in=True, loans=RUNNING),
    Case(employer=4),
    Case(employer=5, loans=RUNNING_AFTER_SETTLED),
    Case(employer=6, online=False),
    Case(employer=0, phone=False, withdraws=True, loans=APPLIED),
    Case(employer=1, back_pays=True, loans=RUNNING),
    Case(employer=2),
    Case(employer=3, loans=RUNNING_AFTER_SETTLED),
    Case(employer=4, online=False, withdraws=True),
    Case(employer=5, loans=APPLIED),
    Case(employer=6, transfer_in=True, loans=RUNNING),
    Case(employer=0, back_pays=True),
    Case(employer=1, withdraws=True, loans=RUNNING_AFTER_SETTLED),
]
