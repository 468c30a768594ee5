"""The interchange format's tables and columns (pure, no Django).

One batch is a folder: manifest.json and one CSV file per table, named
`<TABLE>.csv` (e.g. GRMX.csv), its header row the standard's field names. This
module is the single description of every column: the reader validates with
it, the writer formats with it, and docs/interchange.md is checked against it
by a test. Columns marked `extension` are the portal's additions where the
standard has no field; a core that does not have them leaves them empty.
"""

from dataclasses import dataclass, field

# Column types. Text is stripped of surrounding spaces; an empty cell is None.
CHAR = "char"  # text up to `length` characters
MONEY = "money"  # decimal(18,2): at most two decimals, sign as the column says
RATIO = "ratio"  # a fraction, decimal(4,2)/decimal(8,7): 0.12 for 12 %
INT = "int"  # a whole number
DATE = "date"  # YYYYMMDD or YYYY-MM-DD
MONTH = "month"  # YYYYMM
CODE = "code"  # two characters from the code list named by `codes`


@dataclass(frozen=True)
class Column:
    name: str  # the standard's field name, as in the header row
    label: str  # its Chinese name
    type: str
    length: int = 0  # for CHAR
    required: bool = False
    codes: str = ""  # for CODE: a list in mapping.CODE_LISTS
    maps_to: str = ""  # the portal's field, for the document
    extension: bool = False  # the portal's addition, not in JGJ/T 320
    scale: int = 2  # decimals allowed, for MONEY and RATIO


@dataclass(frozen=True)
class Table:
    name: str  # file name without .csv
    number: str  # the standard's table number ("" for the portal's own)
    label: str
    key: tuple[str, ...]  # natural key: a row with the same key replaces the earlier one
    columns: tuple[Column, ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


C = Column

EMPLOYERS = Table(
    "DWXX",
    "4.0.2",
    "缴存单位信息",
    ("DWZH",),
    (
        C("DWZH", "单位账号", CHAR, 20, True, maps_to="Employer.account_no"),
        C("DWMC", "单位名称", CHAR, 100, True, maps_to="Employer.name"),
        C("DWDZ", "单位地址", CHAR, 200),
        C("DWFXR", "发薪日", INT),
        C("DWSLRQ", "单位设立日期", DATE),
        C("DWKHRQ", "单位开户日期", DATE),
    ),
)

PEOPLE = Table(
    "GRXX",
    "4.0.3",
    "个人信息",
    ("GRZH",),
    (
        C("GRZH", "个人账号", CHAR, 20, True, maps_to="FundAccount.account_no"),
        C("XINGMING", "姓名", CHAR, 50, True, maps_to="Member.name"),
        C("XINGBIE", "性别", CODE, codes="XINGBIE"),
        C("ZJLX", "证件类型", CODE, required=True, codes="ZJLX"),
        C("ZJHM", "证件号码", CHAR, 18, True, maps_to="Member.id_number"),
        C("CSNY", "出生年月", MONTH),
        C("SJHM", "手机号码", CHAR, 11, maps_to="Member.phone (预留手机号, the login phone)"),
        C("GDDHHM", "固定电话号码", CHAR, 20),
        C("HYZK", "婚姻状况", CODE, codes="HYZK"),
        C("JTZZ", "家庭住址", CHAR, 200),
        C("YZBM", "邮政编码", CHAR, 6),
        C("JTYSR", "家庭月收入", MONEY),
    ),
)

ACCOUNTS = Table(
    "GRZHXX",
    "5.0.4",
    "个人账户信息",
    ("GRZH",),
    (
        C("GRZH", "个人账号", CHAR, 20, True, maps_to="FundAccount.account_no"),
        C("DWZH", "单位账号", CHAR, 20, True, maps_to="FundAccount.employer"),
        C("GRZHZT", "个人账户状态", CODE, required=True, codes="GRZHZT", maps_to="FundAccount.status"),
        C("KHRQ", "开户日期", DATE, required=True, maps_to="FundAccount.opened_on"),
        C("GRJCJS", "个人缴存基数", MONEY, required=True, maps_to="FundAccount.deposit_base"),
        C("DWJCBL", "单位缴存比例", RATIO, required=True, maps_to="FundAccount.employer_rate"),
        C("GRJCBL", "个人缴存比例", RATIO, required=True, maps_to="FundAccount.personal_rate"),
        C("GRYJCE", "个人月缴存额", MONEY, required=True),
        C("DWYJCE", "单位月缴存额", MONEY, required=True),
        C("GRZHYE", "个人账户余额", MONEY, required=True, maps_to="FundAccount.balance (reconciled)"),
        C("GRZHSNJZYE", "上年结转余额", MONEY),
        C("GRZHDNGJYE", "当年归集余额", MONEY),
        C("JZNY", "缴至年月", MONTH, maps_to="FundAccount.paid_through"),
        C("GRCKZHHM", "个人存款账户号码", CHAR, 30, maps_to="FundAccount.bank_account_no"),
        C("GRCKZHKHYHMC", "个人存款账户开户银行名称", CHAR, 100),
        C("GRCKZHKHYHDM", "个人存款账户开户银行代码", CHAR, 20),
        C("XHRQ", "销户日期", DATE, maps_to="FundAccount.closed_on"),
        C("XHYY", "销户原因", CODE, codes="TQYY"),
    ),
)

LEDGER = Table(
    "GRMX",
    "5.0.5",
    "个人业务明细信息",
    ("YWLSH",),
    (
        C("GRZH", "个人账号", CHAR, 20, True, maps_to="LedgerEntry.account"),
        C("JZRQ", "记账日期", DATE, required=True, maps_to="LedgerEntry.booked_on"),
        C("GJHTQYWLX", "归集和提取业务类型", CODE, required=True, codes="GJHTQYWLX", maps_to="LedgerEntry.kind"),
        C("FSE", "发生额", MONEY, required=True, maps_to="LedgerEntry.amount (signed by the type)"),
        C("DNGJFSE", "当年归集发生额", MONEY),
        C("SNJZFSE", "上年结转发生额", MONEY),
        C("FSLXE", "发生利息额", MONEY),
        C("TQYY", "提取原因", CODE, codes="TQYY", maps_to="LedgerEntry.withdrawal_reason"),
        C("TQFS", "提取方式", CODE, codes="TQFS"),
        C("YWLSH", "业务流水号", CHAR, 32, True, maps_to="LedgerEntry.serial_no"),
        C("CZBZ", "冲账标识", CHAR, 2, maps_to="(a reversal removes the row it names)"),
        C("HJNY", "汇缴年月", MONTH, maps_to="LedgerEntry.period", extension=True),
        C("ZY", "摘要", CHAR, 100, maps_to="LedgerEntry.summary", extension=True),
    ),
)

CONTRACTS = Table(
    "DKHT",
    "6.0.2",
    "个人住房贷款借款合同信息",
    ("JKHTBH",),
    (
        C("JKHTBH", "借款合同编号", CHAR, 30, True, maps_to="LoanContract.contract_no"),
        C("JKRGJJZH", "借款人公积金账号", CHAR, 20, True, maps_to="LoanContract.member (by 个人账号)"),
        C("JKRXM", "借款人姓名", CHAR, 50),
        C("JKRZJLX", "借款人证件类型", CODE, codes="ZJLX"),
        C("JKRZJH", "借款人证件号码", CHAR, 18),
        C("HTDKJE", "合同贷款金额", MONEY, required=True, maps_to="LoanContract.amount"),
        C("DKQS", "贷款期数", INT, required=True, maps_to="LoanContract.term_months"),
        C("DKHKFS", "还款方式", CODE, required=True, codes="DKHKFS", maps_to="LoanContract.repayment_method"),
        C("JKHTLL", "合同利率", RATIO, required=True, scale=7, maps_to="LoanContract.annual_rate"),
        C("YDFKRQ", "约定放款日期", DATE),
        C("YDDQRQ", "约定到期日期", DATE),
        C("YDHKR", "约定还款日", INT),
        C("FWZL", "房屋坐落", CHAR, 200),
        C("FWZJ", "房屋总价", MONEY),
        C("DKDBLX", "担保类型", CODE, codes="DKDBLX"),
        C("JKHTQDRQ", "借款合同签订日期", DATE, required=True, maps_to="LoanContract.applied_on"),
        C("SQYWLSH", "网厅申请业务流水号", CHAR, 32, maps_to="LoanContract.decision_serial_no", extension=True),
    ),
)

LOAN_ACCOUNTS = Table(
    "DKZHXX",
    "6.0.5",
    "个人住房贷款账户信息",
    ("DKZH",),
    (
        C("DKZH", "贷款账号", CHAR, 20, True, maps_to="LoanContract.loan_account_no"),
        C("JKHTBH", "借款合同编号", CHAR, 30, True, maps_to="LoanContract (one account per contract)"),
        C("DKFFE", "贷款发放额", MONEY, required=True),
        C("DKFFRQ", "贷款发放日期", DATE, required=True, maps_to="LoanContract.disbursed_on"),
        C("DKYE", "贷款余额", MONEY, required=True, maps_to="LoanContract.outstanding_principal"),
        C("DKLL", "贷款利率", RATIO, required=True, scale=7, maps_to="LoanContract.annual_rate"),
        C("DKQS", "贷款期数", INT, required=True),
        C("DQJHHKJE", "当期计划还款金额", MONEY, maps_to="LoanContract.monthly_payment"),
        C("DQJHGHBJ", "当期计划归还本金", MONEY),
        C("DQJHGHLX", "当期计划归还利息", MONEY),
        C("DKJQRQ", "贷款结清日期", DATE, maps_to="LoanContract.settled_on"),
        C("HSBJZE", "回收本金总额", MONEY),
        C("HSLXZE", "回收利息总额", MONEY),
        C("LJYQQS", "累计逾期期数", INT),
        C("DKFXDJ", "贷款风险等级", CODE, codes="DKFXDJ"),
        C("DKZT", "贷款状态", CODE, required=True, codes="DKZT", maps_to="LoanContract.status", extension=True),
        C("SYQS", "剩余期数", INT, maps_to="LoanContract.remaining_months", extension=True),
        C("XQYHRQ", "下期应还日期", DATE, maps_to="LoanContract.next_due_on", extension=True),
    ),
)

LOAN_POSTINGS = Table(
    "DKMX",
    "6.0.6",
    "个人住房贷款业务明细信息",
    ("YWLSH",),
    (
        C("DKZH", "贷款账号", CHAR, 20, True, maps_to="Repayment.contract (by 贷款账号)"),
        C("YWLSH", "业务流水号", CHAR, 32, True, maps_to="Repayment.serial_no"),
        C("DKYWMXLX", "贷款业务明细类型", CODE, required=True, codes="DKYWMXLX"),
        C("YWFSRQ", "业务发生日期", DATE, required=True, maps_to="Repayment.repaid_on"),
        C("FSE", "发生额", MONEY, required=True),
        C("BJJE", "本金金额", MONEY, required=True, maps_to="Repayment.principal"),
        C("LXJE", "利息金额", MONEY, required=True, maps_to="Repayment.interest"),
        C("FXJE", "罚息金额", MONEY),
        C("DQQC", "当期期次", INT, maps_to="Repayment.period_no"),
        C("JZRQ", "记账日期", DATE),
    ),
)

PROGRESS = Table(
    "DKJD",
    "",
    "贷款进度",
    ("JKHTBH", "JDXH"),
    (
        C("JKHTBH", "借款合同编号", CHAR, 30, True, maps_to="LoanProgressStep.contract"),
        C("JDXH", "节点序号", INT, required=True, maps_to="LoanProgressStep.order"),
        C("JDMC", "节点名称", CHAR, 30, True, maps_to="LoanProgressStep.name"),
        C("JDZT", "节点状态", CODE, required=True, codes="JDZT", maps_to="LoanProgressStep.state"),
        C("BLRQ", "办理日期", DATE, maps_to="LoanProgressStep.handled_at"),
    ),
)

# The core's answer on the portal's decisions it will not book (a decision it
# books is confirmed by its own posting: a GRMX row, or a DKHT row naming the
# decision in SQYWLSH). The portal's own table.
RESULTS = Table(
    "JDFK",
    "",
    "网厅业务处理结果",
    ("YWLSH",),
    (
        C("YWLSH", "业务流水号", CHAR, 32, True, maps_to="Decision.serial_no (the portal's)"),
        C("CLJG", "处理结果", CODE, required=True, codes="CLJG", maps_to="Decision.state"),
        C("JJYY", "拒绝原因", CHAR, 200, maps_to="Decision.failure_reason"),
        C("CLRQ", "处理日期", DATE),
    ),
)

# What the portal sends the core (manage.py books_export): one row per
# approved application not yet acknowledged. The portal's own table.
DECISIONS = Table(
    "WTJD",
    "",
    "网厅业务决定",
    ("YWLSH",),
    (
        C("YWLSH", "业务流水号", CHAR, 32, True, maps_to="Decision.serial_no"),
        C("YWLX", "业务类型", CODE, required=True, codes="WTYWLX", maps_to="Decision.kind"),
        C("GRZH", "个人账号", CHAR, 20, True, maps_to="Decision.account_no"),
        C("FSE", "金额", MONEY, required=True, maps_to="Decision.amount"),
        C("TQYY", "提取原因", CODE, codes="TQYY", maps_to="Decision.withdrawal_reason"),
        C("XHBZ", "销户标志", CODE, codes="XHBZ", maps_to="Decision.close_account"),
        C("GRCKZHHM", "个人存款账户号码", CHAR, 30, maps_to="Decision.bank_account_no"),
        C("DKQS", "贷款期数", INT, maps_to="Decision.term_months"),
        C("JKHTLL", "合同利率", RATIO, scale=7, maps_to="Decision.annual_rate"),
        C("DKHKFS", "还款方式", CODE, codes="DKHKFS", maps_to="Decision.repayment_method"),
        C("SPSJ", "审批时间", CHAR, 19, True, maps_to="Decision.created_at (YYYY-MM-DD HH:MM:SS, Asia/Shanghai)"),
    ),
)

# In the order they are applied: a row may refer to tables before it.
TABLES = (EMPLOYERS, PEOPLE, ACCOUNTS, LEDGER, CONTRACTS, LOAN_ACCOUNTS, LOAN_POSTINGS, PROGRESS, RESULTS)
BY_NAME = {t.name: t for t in TABLES}
# Written by the portal for the core (books_export), in the same format.
EXPORT_TABLES = (DECISIONS,)
