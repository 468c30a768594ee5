"""What each certificate says, read from the member's records: the facts (as
printed and as /verify/ shows them, ID number masked), the template that draws
them and how long the certificate is valid. A certificate the records do not
allow is refused here with the reason, before anything is rendered.

Every builder starts from the member (their account, their contracts): there is
no way to name someone else's records; a contract number that is not theirs is
a 404 (selectors.loan_get_for_member).

One module per kind: deposit.py (缴存证明), loans.py (贷款结清证明), ledger.py
(缴存明细), annual.py (年度对账单); base.py holds what they share.
"""

from inquiry.certificates.documents.annual import ANNUAL_NO_YEAR, ANNUAL_NOT_ISSUED, annual_document, statement_facts
from inquiry.certificates.documents.base import (
    ACCOUNT_CHECKING,
    NO_ACCOUNT,
    NO_ACCOUNT_FOR,
    CertificateRefused,
    Document,
)
from inquiry.certificates.documents.deposit import (
    ACCOUNT_STATUS_REFUSED,
    LOAN_NONE,
    LOAN_SETTLED,
    LOAN_UNSETTLED,
    deposit_document,
)
from inquiry.certificates.documents.ledger import LEDGER_EMPTY, ledger_document
from inquiry.certificates.documents.loans import LOAN_NO_SETTLED_DATE, LOAN_NOT_SETTLED, loan_settled_document

__all__ = [
    "ACCOUNT_CHECKING",
    "ACCOUNT_STATUS_REFUSED",
    "ANNUAL_NOT_ISSUED",
    "ANNUAL_NO_YEAR",
    "LEDGER_EMPTY",
    "LOAN_NONE",
    "LOAN_NOT_SETTLED",
    "LOAN_NO_SETTLED_DATE",
    "LOAN_SETTLED",
    "LOAN_UNSETTLED",
    "NO_ACCOUNT",
    "NO_ACCOUNT_FOR",
    "CertificateRefused",
    "Document",
    "annual_document",
    "deposit_document",
    "ledger_document",
    "loan_settled_document",
    "statement_facts",
]
