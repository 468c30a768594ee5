"""Deterministic demo records for `manage.py seed_demo`, split by concern.

- specs.py: the in-memory shapes (MemberSpec, EntrySpec, LoanSpec …);
- ledger.py: deposits, withdrawals, transfers and the June 30 interest;
- loans.py: contracts, progress nodes, repayments, the rate change;
- cases.py: the table of which generated member shows which case;
- members.py: the named demo members and the generator (build_members);
- interchange.py: the records as the core system's interchange rows, which
  seed_demo writes as a batch and loads with books_import (nothing here
  touches the database).

The builders read no database: the same `as_of` always yields the same data.
Other apps add their own demo data (accounts.demo: logins, tasks.demo:
messages); zzgjj_portal's seed_demo command composes them.
"""

from inquiry.demo.members import (
    DEMO_ID_NUMBER,
    DEMO_NAME,
    DEMO_PHONE,
    EMPLOYERS,
    UNREGISTERED_ID_NUMBER,
    UNREGISTERED_NAME,
    UNREGISTERED_PHONE,
    build_members,
    make_id_number,
)
from inquiry.demo.specs import EntrySpec, LoanSpec, MemberSpec

__all__ = [
    "DEMO_ID_NUMBER",
    "DEMO_NAME",
    "DEMO_PHONE",
    "EMPLOYERS",
    "UNREGISTERED_ID_NUMBER",
    "UNREGISTERED_NAME",
    "UNREGISTERED_PHONE",
    "EntrySpec",
    "LoanSpec",
    "MemberSpec",
    "build_members",
    "make_id_number",
]
