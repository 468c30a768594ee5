"""References between rows, and to the database, checked set-based on the
staging tables (the reader has checked each row on its own).

Each check marks the rows it refuses (`reject` = the reason); after each
table, its refused rows move to imp_reject with their natural key, and the
tables after it look there: a refused parent refuses its children, and the
reason says so. Rows with a later row of the same key are superseded (the
later one wins) and dropped, unless that later row was refused: then they
are refused too, so an old version of a row is never applied in place of
the one the core meant.
"""

from inquiry.interchange.importing.sql import Sql
from inquiry.interchange.importing.staging import BY_TABLE

# ruff: noqa: S608

LATER_REFUSED = "同一关键字的后续行被拒绝,本行不导入"
PERSON_ID_TWICE = "证件号码与本批另一个人账号的个人信息行相同"
PERSON_ID_TAKEN = "证件号码已登记在网厅另一个人账号的缴存职工名下"
PERSON_PHONE_TWICE = "手机号码与本批另一个人账号的个人信息行相同"
PERSON_PHONE_TAKEN = "手机号码已是网厅另一缴存职工的预留手机号"
PERSON_NO_ACCOUNT = "无个人账户信息(GRZHXX),网厅也无此个人账号"
PERSON_ACCOUNT_REFUSED = "该个人账号的个人账户信息行(GRZHXX)被拒绝"
ACCOUNT_PERSON_REFUSED = "该个人账号的个人信息行(GRXX)被拒绝"
ACCOUNT_NO_PERSON = "无个人信息(GRXX),网厅也无此个人账号"
ACCOUNT_EMPLOYER_REFUSED = "单位账号的单位信息行(DWXX)被拒绝"
ACCOUNT_NO_EMPLOYER = "单位账号不存在(本批无 DWXX 行,网厅也无此单位)"
LEDGER_ACCOUNT_REFUSED = "个人账号的个人信息或个人账户信息行被拒绝"
LEDGER_NO_ACCOUNT = "个人账号不存在(本批无 GRZHXX 行,网厅也无此账号)"
REVERSAL_ORIGINAL_REFUSED = "冲账所冲的原业务行被拒绝"
REVERSAL_NOT_FOUND = "冲账未找到所冲的原业务(同一业务流水号)"
REVERSAL_OTHER_ACCOUNT = "冲账的个人账号与所冲原业务的个人账号不符"
CONTRACT_ACCOUNT_REFUSED = "借款人公积金账号的个人信息或个人账户信息行被拒绝"
CONTRACT_NO_ACCOUNT = "借款人公积金账号不存在"
CONTRACT_ID_MISMATCH = "借款人证件号码与该公积金账号的缴存职工不符"
CONTRACT_OTHER_MEMBER = "借款合同编号在网厅已属于另一缴存职工"
CONTRACT_BELOW_OUTSTANDING = "合同贷款金额小于网厅记录的贷款余额(本批无该合同的贷款账户行)"
LOAN_ACCOUNT_CONTRACT_REFUSED = "借款合同信息行(DKHT)被拒绝"
LOAN_ACCOUNT_NO_CONTRACT = "借款合同编号不存在"
LOAN_ACCOUNT_TAKEN = "贷款账号在网厅已属于另一借款合同"
LOAN_ACCOUNT_TWICE = "同一借款合同在本批有多个贷款账户行,以最后一行为准"
LOAN_ACCOUNT_OVER_AMOUNT = "贷款余额大于合同贷款金额"
POSTING_ACCOUNT_REFUSED = "贷款账号的贷款账户信息行(DKZHXX)或借款合同信息行(DKHT)被拒绝"
POSTING_NO_ACCOUNT = "贷款账号不存在"
PROGRESS_CONTRACT_REFUSED = "借款合同信息行(DKHT)被拒绝"
PROGRESS_NO_CONTRACT = "借款合同编号不存在"


class Checks:
    def __init__(self, sql: Sql, *, full: bool):
        self.sql = sql
        self.full = full

    # --- helpers -------------------------------------------------------------

    def refuse(self, table: str, reason: str, condition: str) -> None:
        """Mark the live rows of `table` (aliased s) meeting `condition`."""
        name = BY_TABLE[table].name
        self.sql.run(
            f"UPDATE {name} SET reject = %s WHERE reject IS NULL AND line_no IN "
            f"(SELECT s.line_no FROM {name} s WHERE s.reject IS NULL AND ({condition}))",
            [reason],
        )

    def flush(self, table: str) -> None:
        """Move `table`'s refused rows to imp_reject (with their key) and out of staging."""
        stage = BY_TABLE[table]
        self.sql.run(
            f"INSERT INTO imp_reject (tbl, line_no, rkey, reason) "
            f"SELECT %s, s.line_no, {stage.key}, s.reject FROM {stage.name} s WHERE s.reject IS NOT NULL",
            [table],
        )
        self.sql.run(f"DELETE FROM {stage.name} WHERE reject IS NOT NULL")

    def refused(self, tables: tuple[str, ...], key: str) -> str:
        """SQL: a row of `tables` with key `key` was refused."""
        names = ", ".join(f"'{t}'" for t in tables)
        return f"EXISTS (SELECT 1 FROM imp_reject r WHERE r.tbl IN ({names}) AND r.rkey = {key})"

    def supersede(self, table: str, key: str) -> None:
        """Rows with a later row of the same key: refused if a later one was
        refused, else dropped (the later one replaces them)."""
        stage = BY_TABLE[table]
        self.refuse(
            table,
            LATER_REFUSED,
            f"EXISTS (SELECT 1 FROM imp_reject r WHERE r.tbl = '{table}' AND r.rkey = {stage.key} "
            f"AND r.line_no > s.line_no)",
        )
        self.sql.run(
            f"DELETE FROM {stage.name} WHERE reject IS NULL AND line_no IN (SELECT s.line_no FROM {stage.name} s "
            f"WHERE EXISTS (SELECT 1 FROM {stage.name} o WHERE o.{key} = s.{key} AND o.line_no > s.line_no "
            f"AND o.reject IS NULL))"
        )

    # --- the tables, in the order they are applied ------------------------------

    def run(self) -> None:
        self.employers()
        self.people_and_accounts()
        self.ledger()
        self.contracts()
        self.loan_accounts()
        self.contracts_against_outstanding()
        self.postings()
        self.progress()
        self.results()

    def employers(self) -> None:
        self.supersede("DWXX", "dwzh")
        self.flush("DWXX")

    def people_and_accounts(self) -> None:
        account_in_db = "EXISTS (SELECT 1 FROM inquiry_fundaccount a WHERE a.account_no = s.grzh)"
        self.supersede("GRXX", "grzh")
        self.supersede("GRZHXX", "grzh")
        # One person, one account: an ID number on two accounts of the batch, or
        # held in the portal by the member of another account.
        self.refuse(
            "GRXX",
            PERSON_ID_TWICE,
            "EXISTS (SELECT 1 FROM imp_grxx o WHERE o.zjhm = s.zjhm AND o.grzh <> s.grzh AND o.line_no < s.line_no)",
        )
        self.refuse(
            "GRXX",
            PERSON_ID_TAKEN,
            "EXISTS (SELECT 1 FROM inquiry_member m JOIN inquiry_fundaccount a ON a.member_id = m.id "
            "WHERE m.id_number = s.zjhm AND a.account_no <> s.grzh) "
            "OR EXISTS (SELECT 1 FROM inquiry_fundaccount a JOIN inquiry_member m ON m.id_number = s.zjhm "
            "WHERE a.account_no = s.grzh AND m.id <> a.member_id)",
        )
        # A reserved phone is one member's login name. Another member holds it
        # unless the batch gives them a different phone.
        self.refuse(
            "GRXX",
            PERSON_PHONE_TWICE,
            "s.sjhm IS NOT NULL AND EXISTS (SELECT 1 FROM imp_grxx o WHERE o.sjhm = s.sjhm AND o.grzh <> s.grzh "
            "AND o.line_no < s.line_no)",
        )
        self.refuse(
            "GRXX",
            PERSON_PHONE_TAKEN,
            # m.phone <> '': the unique index on phones covers only those.
            "s.sjhm IS NOT NULL AND EXISTS (SELECT 1 FROM inquiry_member m WHERE m.phone = s.sjhm "
            "AND m.phone <> '' AND m.id_number <> s.zjhm "
            "AND NOT EXISTS (SELECT 1 FROM inquiry_fundaccount a WHERE a.account_no = s.grzh AND a.member_id = m.id) "
            "AND NOT EXISTS (SELECT 1 FROM imp_grxx o WHERE o.zjhm = m.id_number AND o.reject IS NULL "
            "AND o.sjhm IS NOT NULL AND o.sjhm <> s.sjhm))",
        )
        self.flush("GRXX")
        self.refuse("GRZHXX", ACCOUNT_PERSON_REFUSED, self.refused(("GRXX",), "s.grzh"))
        self.refuse(
            "GRZHXX",
            ACCOUNT_NO_PERSON,
            f"NOT EXISTS (SELECT 1 FROM imp_grxx o WHERE o.grzh = s.grzh) AND NOT {account_in_db}",
        )
        self.refuse("GRZHXX", ACCOUNT_EMPLOYER_REFUSED, self.refused(("DWXX",), "s.dwzh"))
        self.refuse(
            "GRZHXX",
            ACCOUNT_NO_EMPLOYER,
            "NOT EXISTS (SELECT 1 FROM imp_dwxx o WHERE o.dwzh = s.dwzh) "
            "AND NOT EXISTS (SELECT 1 FROM inquiry_employer e WHERE e.account_no = s.dwzh)",
        )
        self.flush("GRZHXX")
        # Back to the people: a new person whose account row was refused (or
        # is missing) has nowhere to go.
        no_account_row = f"NOT EXISTS (SELECT 1 FROM imp_grzhxx o WHERE o.grzh = s.grzh) AND NOT {account_in_db}"
        self.refuse("GRXX", PERSON_ACCOUNT_REFUSED, f"{no_account_row} AND {self.refused(('GRZHXX',), 's.grzh')}")
        self.refuse("GRXX", PERSON_NO_ACCOUNT, no_account_row)
        self.flush("GRXX")
        self.refuse(
            "GRZHXX",
            ACCOUNT_PERSON_REFUSED,
            f"{self.refused(('GRXX',), 's.grzh')} AND NOT EXISTS (SELECT 1 FROM imp_grxx o WHERE o.grzh = s.grzh)",
        )
        self.flush("GRZHXX")

    def _account_unknown(self, column: str) -> str:
        # Two NOT EXISTS, never NOT (… OR …): PostgreSQL turns these into
        # anti-joins, the OR into a subquery run for each of millions of rows.
        return (
            f"NOT EXISTS (SELECT 1 FROM imp_grzhxx o WHERE o.grzh = s.{column}) "
            f"AND NOT EXISTS (SELECT 1 FROM inquiry_fundaccount a WHERE a.account_no = s.{column})"
        )

    def ledger(self) -> None:
        people = ("GRXX", "GRZHXX")
        self.refuse("GRMX", LEDGER_ACCOUNT_REFUSED, self.refused(people, "s.grzh"))
        self.refuse("GRMX", LEDGER_NO_ACCOUNT, self._account_unknown("grzh"))
        # A reversal (冲账) removes the row with its 业务流水号: the last one
        # before it in the batch, else the portal's.
        earlier = "o.ywlsh = s.ywlsh AND o.line_no < s.line_no"
        self.refuse(
            "GRMX",
            REVERSAL_ORIGINAL_REFUSED,
            "s.rev = 1 AND EXISTS (SELECT 1 FROM imp_reject r WHERE r.tbl = 'GRMX' AND r.rkey = s.ywlsh "
            "AND r.line_no < s.line_no)",
        )
        in_batch = f"EXISTS (SELECT 1 FROM imp_grmx o WHERE {earlier} AND o.rev = 0 AND o.reject IS NULL)"
        in_db = "EXISTS (SELECT 1 FROM inquiry_ledgerentry e WHERE e.serial_no = s.ywlsh)"
        # A reversal of a type that moves no money removes nothing: accepted.
        self.refuse("GRMX", REVERSAL_NOT_FOUND, f"s.rev = 1 AND s.kind IS NOT NULL AND NOT {in_batch} AND NOT {in_db}")
        self.refuse(
            "GRMX",
            REVERSAL_OTHER_ACCOUNT,
            f"s.rev = 1 AND ((EXISTS (SELECT 1 FROM imp_grmx o WHERE {earlier} AND o.rev = 0 AND o.grzh <> s.grzh "
            f"AND NOT EXISTS (SELECT 1 FROM imp_grmx p WHERE p.ywlsh = s.ywlsh AND p.line_no > o.line_no "
            f"AND p.line_no < s.line_no))) "
            f"OR (NOT {in_batch} AND EXISTS (SELECT 1 FROM inquiry_ledgerentry e "
            f"JOIN inquiry_fundaccount a ON a.id = e.account_id WHERE e.serial_no = s.ywlsh "
            f"AND a.account_no <> s.grzh)))",
        )
        self.refuse(
            "GRMX",
            LATER_REFUSED,
            "EXISTS (SELECT 1 FROM imp_reject r WHERE r.tbl = 'GRMX' AND r.rkey = s.ywlsh AND r.line_no > s.line_no)",
        )
        self.flush("GRMX")
        # The last row of each 业务流水号 is what the core says now: a posting
        # (applied) or a reversal (the row removed).
        self.sql.run(
            "DELETE FROM imp_grmx WHERE line_no IN (SELECT s.line_no FROM imp_grmx s WHERE EXISTS "
            "(SELECT 1 FROM imp_grmx o WHERE o.ywlsh = s.ywlsh AND o.line_no > s.line_no))"
        )

    def contracts(self) -> None:
        self.supersede("DKHT", "jkhtbh")
        self.refuse("DKHT", CONTRACT_ACCOUNT_REFUSED, self.refused(("GRXX", "GRZHXX"), "s.grzh"))
        self.refuse("DKHT", CONTRACT_NO_ACCOUNT, self._account_unknown("grzh"))
        self.refuse(
            "DKHT",
            CONTRACT_ID_MISMATCH,
            "s.zjh IS NOT NULL AND s.zjh <> COALESCE((SELECT o.zjhm FROM imp_grxx o WHERE o.grzh = s.grzh), "
            "(SELECT m.id_number FROM inquiry_fundaccount a JOIN inquiry_member m ON m.id = a.member_id "
            "WHERE a.account_no = s.grzh), s.zjh)",
        )
        self.refuse(
            "DKHT",
            CONTRACT_OTHER_MEMBER,
            "EXISTS (SELECT 1 FROM inquiry_loancontract c WHERE c.contract_no = s.jkhtbh AND NOT EXISTS "
            "(SELECT 1 FROM inquiry_fundaccount a WHERE a.account_no = s.grzh AND a.member_id = c.member_id))",
        )
        self.flush("DKHT")

    def loan_accounts(self) -> None:
        self.supersede("DKZHXX", "dkzh")
        self.refuse("DKZHXX", LOAN_ACCOUNT_CONTRACT_REFUSED, self.refused(("DKHT",), "s.jkhtbh"))
        self.refuse(
            "DKZHXX",
            LOAN_ACCOUNT_NO_CONTRACT,
            "NOT EXISTS (SELECT 1 FROM imp_dkht o WHERE o.jkhtbh = s.jkhtbh) "
            "AND NOT EXISTS (SELECT 1 FROM inquiry_loancontract c WHERE c.contract_no = s.jkhtbh)",
        )
        self.refuse(
            "DKZHXX",
            LOAN_ACCOUNT_TAKEN,
            "EXISTS (SELECT 1 FROM inquiry_loancontract c WHERE c.loan_account_no = s.dkzh "
            "AND c.loan_account_no <> '' AND c.contract_no <> s.jkhtbh)",
        )
        self.refuse(
            "DKZHXX",
            LOAN_ACCOUNT_TWICE,
            "EXISTS (SELECT 1 FROM imp_dkzhxx o WHERE o.jkhtbh = s.jkhtbh AND o.line_no > s.line_no)",
        )
        self.refuse(
            "DKZHXX",
            LOAN_ACCOUNT_OVER_AMOUNT,
            "s.outstanding > COALESCE((SELECT o.amount FROM imp_dkht o WHERE o.jkhtbh = s.jkhtbh), "
            "(SELECT c.amount FROM inquiry_loancontract c WHERE c.contract_no = s.jkhtbh), s.outstanding)",
        )
        self.flush("DKZHXX")

    def contracts_against_outstanding(self) -> None:
        # A delta may change a contract's amount without its loan account: the
        # portal's 贷款余额 must still fit under it (a full batch resets it).
        if self.full:
            return
        self.refuse(
            "DKHT",
            CONTRACT_BELOW_OUTSTANDING,
            "NOT EXISTS (SELECT 1 FROM imp_dkzhxx o WHERE o.jkhtbh = s.jkhtbh) AND EXISTS "
            "(SELECT 1 FROM inquiry_loancontract c WHERE c.contract_no = s.jkhtbh "
            "AND c.outstanding_principal > s.amount)",
        )
        self.flush("DKHT")

    def postings(self) -> None:
        self.supersede("DKMX", "ywlsh")
        self.refuse("DKMX", POSTING_ACCOUNT_REFUSED, self.refused(("DKZHXX",), "s.dkzh"))
        self.refuse(
            "DKMX",
            POSTING_ACCOUNT_REFUSED,
            "EXISTS (SELECT 1 FROM inquiry_loancontract c JOIN imp_reject r ON r.tbl = 'DKHT' "
            "AND r.rkey = c.contract_no WHERE c.loan_account_no = s.dkzh AND c.loan_account_no <> '')",
        )
        self.refuse(
            "DKMX",
            POSTING_NO_ACCOUNT,
            "NOT EXISTS (SELECT 1 FROM imp_dkzhxx o WHERE o.dkzh = s.dkzh) AND NOT EXISTS "
            "(SELECT 1 FROM inquiry_loancontract c WHERE c.loan_account_no = s.dkzh AND c.loan_account_no <> '')",
        )
        self.flush("DKMX")

    def progress(self) -> None:
        stage = BY_TABLE["DKJD"]
        self.refuse(
            "DKJD",
            LATER_REFUSED,
            f"EXISTS (SELECT 1 FROM imp_reject r WHERE r.tbl = 'DKJD' AND r.rkey = {stage.key} "
            f"AND r.line_no > s.line_no)",
        )
        self.sql.run(
            "DELETE FROM imp_dkjd WHERE reject IS NULL AND line_no IN (SELECT s.line_no FROM imp_dkjd s "
            "WHERE EXISTS (SELECT 1 FROM imp_dkjd o WHERE o.jkhtbh = s.jkhtbh AND o.jdxh = s.jdxh "
            "AND o.line_no > s.line_no AND o.reject IS NULL))"
        )
        self.refuse("DKJD", PROGRESS_CONTRACT_REFUSED, self.refused(("DKHT",), "s.jkhtbh"))
        self.refuse(
            "DKJD",
            PROGRESS_NO_CONTRACT,
            "NOT EXISTS (SELECT 1 FROM imp_dkht o WHERE o.jkhtbh = s.jkhtbh) "
            "AND NOT EXISTS (SELECT 1 FROM inquiry_loancontract c WHERE c.contract_no = s.jkhtbh)",
        )
        self.flush("DKJD")

    def results(self) -> None:
        self.supersede("JDFK", "ywlsh")
        self.flush("JDFK")
