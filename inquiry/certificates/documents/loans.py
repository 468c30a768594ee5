"""贷款结清证明: one settled (结清) contract of the member's."""

from datetime import date

from django.conf import settings

from inquiry import selectors
from inquiry.certificates.documents.base import ACCOUNT_CHECKING, CertificateRefused, Document, day, yuan
from inquiry.models import CertificateKind, LoanStatus, Member
from zzgjj_portal.masking import mask_id_number

LOAN_NOT_SETTLED = "此合同【{contract_no}】的贷款尚未结清,不能开具贷款结清证明"
LOAN_NO_SETTLED_DATE = "此合同【{contract_no}】暂无结清日期记录,请到服务大厅开具贷款结清证明"


def loan_settled_document(*, member: Member, contract_no: str, today: date) -> Document:
    """贷款结清证明 of the member's contract `contract_no`: a contract that is
    not theirs is a 404 (the ownership gate, before anything is read of it);
    one not 结清 (未发放, 正常, 逾期) is refused with the manual's reason."""
    loan = selectors.loan_get_for_member(member=member, contract_no=contract_no)
    if loan.status != LoanStatus.SETTLED:
        raise CertificateRefused(LOAN_NOT_SETTLED.format(contract_no=loan.contract_no), code="not_settled")
    if loan.discrepancy:
        raise CertificateRefused(ACCOUNT_CHECKING, code="checking")
    settled_on = selectors.loan_settled_dates(member=member).get(loan.pk)
    if settled_on is None:
        # Settled with neither the core's date nor a repayment: the paper would
        # have to guess the day, so the counter issues it instead.
        raise CertificateRefused(LOAN_NO_SETTLED_DATE.format(contract_no=loan.contract_no), code="no_date")
    facts = [
        ("借款人", member.name),
        ("身份证号", mask_id_number(member.id_number)),
        ("借款合同编号", loan.contract_no),
        ("贷款金额", yuan(loan.amount)),
        ("贷款期限", f"{loan.term_months} 个月"),
        ("发放日期", day(loan.disbursed_on)),
        ("结清日期", day(settled_on)),
        ("贷款状态", loan.get_status_display()),
    ]
    return Document(
        kind=CertificateKind.LOAN_SETTLED,
        title=CertificateKind.LOAN_SETTLED.label,
        subject=loan.contract_no,
        facts=facts,
        template="inquiry/certificates/loan_settled_pdf.html",
        valid_days=settings.INQUIRY_CERTIFICATE_VALID_DAYS,
        context={"settled_on": settled_on},
    )
