"""The standard's code lists (JGJ/T 320-2014 附录A) and how they map onto the
portal's own names: the one module a center corrects when its core system
uses other codes (pure, no Django beyond the models' code enums).

An unknown code is a rejected row, never a guess.
"""

from inquiry.models.records import (
    AccountStatus,
    LedgerEntry,
    LoanProgressStep,
    LoanStatus,
    RepaymentMethod,
    WithdrawalReason,
)

Kind = LedgerEntry.Kind

CODE_LISTS: dict[str, dict[str, str]] = {
    # A.1 证件类型. The portal keys members by resident ID number: only 01 is imported.
    "ZJLX": {"01": "身份证", "02": "军官证", "03": "护照", "04": "外国人永久居留证", "99": "其他"},
    "XINGBIE": {"1": "男", "2": "女", "9": "未说明"},
    "HYZK": {"10": "未婚", "20": "已婚", "30": "丧偶", "40": "离婚", "90": "其他"},
    # A.6 个人账户状态: the portal stores these codes as they are.
    "GRZHZT": {code: label for code, label in AccountStatus.choices},
    # A.5 归集和提取业务类型.
    "GJHTQYWLX": {
        "01": "汇缴",
        "02": "补缴",
        "03": "开户",
        "04": "启封",
        "05": "封存",
        "06": "内部转移",
        "07": "外部转出",
        "08": "外部转入",
        "09": "年终结息",
        "10": "基数调整",
        "11": "部分提取",
        "12": "销户提取",
        "13": "缓缴处理",
        "14": "冻结",
        "15": "解冻",
        "99": "其他",
    },
    # A.7 提取原因 (also 销户原因 XHYY): the portal stores these codes as they are.
    "TQYY": dict(WithdrawalReason.choices),
    # A.8 提取方式.
    "TQFS": {"01": "现金提取", "02": "转账提取", "99": "其他"},
    # A.11 还款方式: the portal's plan engine computes 01 and 02 only.
    "DKHKFS": {"01": "等额本息", "02": "等额本金", "03": "一次还本付息", "04": "自由还款", "99": "其他"},
    # A.10 担保类型.
    "DKDBLX": {"01": "抵押", "02": "质押", "03": "保证", "99": "其他"},
    # A.14 风险等级.
    "DKFXDJ": {"01": "正常", "02": "关注", "03": "次级", "04": "可疑", "05": "损失", "99": "其他"},
    # A.15 贷款业务明细类型.
    "DKYWMXLX": {
        "01": "贷款发放",
        "02": "正常还款",
        "03": "提前还款",
        "04": "逾期还款",
        "05": "公积金提取还款",
        "06": "结清",
        "07": "贷款展期",
        "08": "贷款缩期",
        "09": "核销",
        "99": "其他",
    },
    # The portal's extensions.
    "DKZT": {"01": "正常", "02": "逾期", "03": "结清"},
    "JDZT": {"01": "已完成", "02": "办理中", "03": "未开始"},
    "CLJG": {"01": "已入账", "02": "拒绝入账"},
    "WTYWLX": {"01": "提取", "02": "贷款"},
    "XHBZ": {"0": "否", "1": "是"},
}

# Codes the reader's row rules name (docs/interchange.md, 7.2).
RESIDENT_ID_CARD = "01"  # ZJLX 身份证: the portal keys members by it, the only type imported
RESULT_REFUSED = "02"  # CLJG 拒绝入账: needs a reason (JJYY)
DECISION_WITHDRAWAL, DECISION_LOAN = "01", "02"  # WTYWLX

# GJHTQYWLX -> (ledger kind, sign of the amount). FSE is unsigned in the
# file; the type says which way the money went. 06 内部转移 is signed by the
# core: a negative FSE is a transfer out of this account.
LEDGER_KINDS: dict[str, tuple[str, int]] = {
    "01": (Kind.MONTHLY_DEPOSIT, 1),
    "02": (Kind.BACK_PAYMENT, 1),
    "06": (Kind.TRANSFER_IN, 1),
    "07": (Kind.TRANSFER_OUT, -1),
    "08": (Kind.TRANSFER_IN, 1),
    "09": (Kind.INTEREST, 1),
    "11": (Kind.WITHDRAWAL, -1),
    "12": (Kind.WITHDRAWAL, -1),
}
LEDGER_SIGNED_KIND = "06"  # 内部转移: the one type whose FSE the core signs
# Types that move no money (开户, 封存, 基数调整 …): accepted with FSE 0 and
# not shown as ledger rows (the account's own row carries the state).
LEDGER_NO_MONEY = frozenset({"03", "04", "05", "10", "13", "14", "15"})
# Withdrawal types: TQYY is required on them.
LEDGER_WITHDRAWALS = frozenset({"11", "12"})

REPAYMENT_METHODS = {"01": RepaymentMethod.EQUAL_INSTALLMENT, "02": RepaymentMethod.EQUAL_PRINCIPAL}
LOAN_STATUSES = {"01": LoanStatus.ACTIVE, "02": LoanStatus.OVERDUE, "03": LoanStatus.SETTLED}
# DKYWMXLX that are repayments (shown in 还款明细); 01 贷款发放 and the
# term changes are carried by the loan account's own row.
REPAYMENT_POSTINGS = frozenset({"02", "03", "04", "05", "06"})
PROGRESS_STATES = {
    "01": LoanProgressStep.State.DONE,
    "02": LoanProgressStep.State.CURRENT,
    "03": LoanProgressStep.State.PENDING,
}

# The portal's own decisions (WTJD, written by books_export): WTYWLX onto the
# kinds of the task area's Decision (named by value: this module imports no
# other app), XHBZ onto its close_account.
DECISION_KINDS = {"01": "withdrawal", "02": "loan"}
CLOSE_FLAGS = {"0": False, "1": True}

# Codes the portal's own batch writers choose (the seeds' demo and scale
# books, the core simulator): which of the types above they book under.
LEDGER_DEPOSIT, LEDGER_BACK_PAYMENT, LEDGER_INTEREST = "01", "02", "09"  # 汇缴, 补缴, 年终结息
LEDGER_TRANSFER_OUT, LEDGER_TRANSFER_IN = "07", "08"  # 外部转出, 外部转入 (another city's fund)
LEDGER_PARTIAL_WITHDRAWAL, LEDGER_CLOSING_WITHDRAWAL = "11", "12"  # 部分提取, 销户提取
PAYMENT_BY_TRANSFER = "02"  # TQFS 转账提取: paid to the member's bank account
GUARANTEE_MORTGAGE = "01"  # DKDBLX 抵押
POSTING_REGULAR, POSTING_EARLY = "02", "03"  # DKYWMXLX 正常还款, 提前还款
