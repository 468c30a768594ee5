"""Applying the checked staging rows to the records, set-based, by natural
keys; then the running balances, the reconciliation, and what changed.

Every statement writes only rows whose values differ from what is there: a
row the batch repeats unchanged is not written, so neither its member's data
version nor the tables' triggers see it, and importing the same rows twice
changes nothing. What did change is collected (imp_chg_*, imp_touch) as it
is written, from the statements' own RETURNING, for the versions raised
after commit and for the signals.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from inquiry import versioning
from inquiry.interchange.importing.sql import Sql
from inquiry.models import CLOSED_STATUSES, RUNNING_LOAN_STATUSES, LedgerEntry, LoanStatus
from zzgjj_portal.money import format_money

# ruff: noqa: S608

ACCOUNT_MISMATCH = "GRZHYE {core} ≠ 明细合计 {ledger}"
ACCOUNT_NEGATIVE = "明细余额出现负数(按0显示)"
CONTRACT_MISMATCH = "DKYE {core} ≠ 合同金额减已还本金 {computed}"
DISCREPANCY_MAX = 200

CLOSED = ", ".join(f"'{s.value}'" for s in CLOSED_STATUSES)
RUNNING = ", ".join(f"'{s.value}'" for s in RUNNING_LOAN_STATUSES)
NOT_DISBURSED = LoanStatus.NOT_DISBURSED.value
WITHDRAWAL = LedgerEntry.Kind.WITHDRAWAL.value

TRACKING = (
    ("imp_chg_member", (("member_id", "bigint"),)),
    ("imp_chg_account", (("account_id", "bigint"),)),
    ("imp_chg_contract", (("contract_id", "bigint"),)),
    ("imp_chg_employer", (("employer_id", "bigint"),)),
    # Ledger rows written: the account and the earliest day whose running
    # balances must be computed again.
    ("imp_touch", (("account_id", "bigint"), ("start_on", "date"))),
    # Contracts whose repayments' running sums are computed again.
    ("imp_ctouch", (("contract_id", "bigint"),)),
)


@dataclass
class Changes:
    """What the batch changed that others are told about, inside its transaction."""

    phones: list[tuple[int, str, str]] = field(default_factory=list)  # (member id, old, new)
    closed_members: list[int] = field(default_factory=list)
    disbursed_contracts: list[int] = field(default_factory=list)
    booked: list[str] = field(default_factory=list)  # 业务流水号 of the portal's decisions the core booked
    refused: dict[str, str] = field(default_factory=dict)  # 业务流水号 -> the core's reason
    members: list[int] = field(default_factory=list)  # members whose shown records changed
    accounts_flagged: int = 0
    contracts_flagged: int = 0


def _differs(sql: Sql, pairs: list[tuple[str, str]]) -> str:
    return " OR ".join(sql.ne(a, b) for a, b in pairs)


class Apply:
    def __init__(self, sql: Sql, *, full: bool):
        self.sql = sql
        self.full = full
        self.changes = Changes()

    def run(self, step=None) -> Changes:
        step = step or (lambda name: None)
        for name, columns in TRACKING:
            self.sql.table_create(name, columns)
        step("单位与缴存职工")
        self.employers()
        self.members()
        self.accounts()
        if self.full:
            self.scope()
        step("缴存支取明细")
        self.ledger()
        self.results()
        self.balances()
        step("贷款")
        self.contracts()
        self.repayments()
        self.progress()
        if self.full:
            self.contracts_delete()
        self.repayment_sums()
        step("核对")
        self.accounts_reconcile()
        self.contracts_reconcile()
        self.changes.members = [
            row[0]
            for row in self.sql.rows(
                "SELECT member_id FROM imp_chg_member "
                "UNION SELECT a.member_id FROM inquiry_fundaccount a WHERE a.id IN "
                "(SELECT account_id FROM imp_chg_account UNION SELECT account_id FROM imp_touch) "
                "UNION SELECT c.member_id FROM inquiry_loancontract c WHERE c.id IN "
                "(SELECT contract_id FROM imp_chg_contract) "
                "UNION SELECT a.member_id FROM inquiry_fundaccount a WHERE a.employer_id IN "
                "(SELECT employer_id FROM imp_chg_employer)"
            )
        ]
        return self.changes

    # --- 单位 ------------------------------------------------------------------

    def employers(self) -> None:
        self.sql.track(
            "UPDATE inquiry_employer SET name = x.dwmc FROM imp_dwxx x "
            "WHERE inquiry_employer.account_no = x.dwzh AND inquiry_employer.name <> x.dwmc",
            [],
            "inquiry_employer.id",
            "imp_chg_employer",
            "employer_id",
        )
        self.sql.run(
            "INSERT INTO inquiry_employer (name, account_no) SELECT x.dwmc, x.dwzh FROM imp_dwxx x "
            "WHERE NOT EXISTS (SELECT 1 FROM inquiry_employer e WHERE e.account_no = x.dwzh) ORDER BY x.line_no"
        )

    # --- 缴存职工 ----------------------------------------------------------------

    def members(self) -> None:
        sql = self.sql
        sql.table_from(
            "imp_person",
            "SELECT s.line_no, s.grzh, s.name, s.zjhm, s.sjhm, "
            "COALESCE((SELECT a.member_id FROM inquiry_fundaccount a WHERE a.account_no = s.grzh), "
            "(SELECT m.id FROM inquiry_member m WHERE m.id_number = s.zjhm)) AS member_id FROM imp_grxx s",
        )
        sql.index("imp_person", "member_id")
        sql.index("imp_person", "grzh")
        # An empty SJHM is "not given", never "remove the phone": a core
        # without the field must not take away every member's login phone.
        changing = "p.sjhm IS NOT NULL AND p.sjhm <> m.phone"
        self.changes.phones = [
            (member_id, old, new)
            for member_id, old, new in sql.rows(
                f"SELECT m.id, m.phone, p.sjhm FROM imp_person p JOIN inquiry_member m ON m.id = p.member_id "
                f"WHERE {changing} ORDER BY m.id"
            )
        ]
        if self.changes.phones:
            # Phones may move between members of the batch: let go of the old
            # ones first, so the unique phone never sees one number twice.
            sql.run(
                f"UPDATE inquiry_member SET phone = '' WHERE phone <> '' AND id IN "
                f"(SELECT p.member_id FROM imp_person p JOIN inquiry_member m ON m.id = p.member_id WHERE {changing})"
            )
        sql.track(
            "UPDATE inquiry_member SET name = p.name, id_number = p.zjhm, "
            "phone = COALESCE(p.sjhm, inquiry_member.phone) "
            "FROM imp_person p WHERE inquiry_member.id = p.member_id AND ("
            + _differs(sql, [("inquiry_member.name", "p.name"), ("inquiry_member.id_number", "p.zjhm")])
            + " OR (p.sjhm IS NOT NULL AND inquiry_member.phone <> p.sjhm))",
            [],
            "inquiry_member.id",
            "imp_chg_member",
            "member_id",
        )
        sql.track(
            "INSERT INTO inquiry_member (name, id_number, phone, created_at, data_version) "
            "SELECT p.name, p.zjhm, COALESCE(p.sjhm, ''), %s, 0 FROM imp_person p WHERE p.member_id IS NULL "
            "ORDER BY p.line_no",
            [sql.stamp(timezone.now())],
            "inquiry_member.id",
            "imp_chg_member",
            "member_id",
        )
        sql.run(
            "UPDATE imp_person SET member_id = (SELECT m.id FROM inquiry_member m WHERE m.id_number = imp_person.zjhm) "
            "WHERE member_id IS NULL"
        )

    # --- 个人账户 ----------------------------------------------------------------

    def accounts(self) -> None:
        sql = self.sql
        sql.table_from(
            "imp_acc",
            "SELECT s.line_no, s.grzh, s.status, s.opened_on, s.deposit_base, s.employer_rate, s.personal_rate, "
            "s.grzhye, s.paid_through, s.bank_account_no, s.closed_on, e.id AS employer_id, a.id AS account_id, "
            "a.status AS old_status, COALESCE(a.member_id, p.member_id) AS member_id "
            "FROM imp_grzhxx s JOIN inquiry_employer e ON e.account_no = s.dwzh "
            "LEFT JOIN inquiry_fundaccount a ON a.account_no = s.grzh LEFT JOIN imp_person p ON p.grzh = s.grzh",
        )
        self.changes.closed_members = [
            row[0]
            for row in sql.rows(
                f"SELECT member_id FROM imp_acc WHERE account_id IS NOT NULL AND old_status NOT IN ({CLOSED}) "
                f"AND status IN ({CLOSED}) ORDER BY member_id"
            )
        ]
        columns = [
            ("employer_id", "employer_id"),
            ("deposit_base", "deposit_base"),
            ("employer_rate", "employer_rate"),
            ("personal_rate", "personal_rate"),
            ("opened_on", "opened_on"),
            ("status", "status"),
            ("bank_account_no", "bank_account_no"),
            ("paid_through", "paid_through"),
            ("closed_on", "closed_on"),
        ]
        sets = ", ".join(f"{target} = x.{source}" for target, source in columns)
        differs = _differs(sql, [(f"inquiry_fundaccount.{t}", f"x.{s}") for t, s in columns])
        sql.track(
            f"UPDATE inquiry_fundaccount SET {sets} FROM imp_acc x "
            f"WHERE inquiry_fundaccount.id = x.account_id AND ({differs})",
            [],
            "inquiry_fundaccount.id",
            "imp_chg_account",
            "account_id",
        )
        sql.track(
            "INSERT INTO inquiry_fundaccount (member_id, account_no, employer_id, deposit_base, employer_rate, "
            "personal_rate, balance, opened_on, status, bank_account_no, paid_through, closed_on, discrepancy) "
            "SELECT x.member_id, x.grzh, x.employer_id, x.deposit_base, x.employer_rate, x.personal_rate, 0, "
            "x.opened_on, x.status, x.bank_account_no, x.paid_through, x.closed_on, '' FROM imp_acc x "
            "WHERE x.account_id IS NULL ORDER BY x.line_no",
            [],
            "inquiry_fundaccount.id",
            "imp_chg_account",
            "account_id",
        )
        sql.run(
            "UPDATE imp_acc SET account_id = "
            "(SELECT a.id FROM inquiry_fundaccount a WHERE a.account_no = imp_acc.grzh) "
            "WHERE account_id IS NULL"
        )
        sql.index("imp_acc", "account_id")

    def scope(self) -> None:
        """A full batch gives the members in it exactly its records: these
        accounts and members (those of its GRXX and GRZHXX rows)."""
        sql = self.sql
        sql.table_from(
            "imp_scope",
            "SELECT account_id FROM imp_acc UNION "
            "SELECT a.id FROM imp_person p JOIN inquiry_fundaccount a ON a.member_id = p.member_id",
        )
        sql.table_from(
            "imp_mscope",
            "SELECT a.member_id FROM inquiry_fundaccount a WHERE a.id IN (SELECT account_id FROM imp_scope)",
        )
        sql.index("imp_scope", "account_id")
        sql.index("imp_mscope", "member_id")

    # --- 缴存支取明细 --------------------------------------------------------------

    def ledger(self) -> None:
        """Changes to existing rows (a posting corrected, a 待入账 entry
        confirmed, a reversal, a full batch's rows gone). New rows are
        inserted by balances(), with their running balance."""
        sql = self.sql
        if self.full:
            # Rows the core no longer has. 待入账 entries are the portal's
            # decisions awaiting the core: kept. A row whose line was refused
            # is kept as it was.
            sql.track(
                "DELETE FROM inquiry_ledgerentry WHERE account_id IN (SELECT account_id FROM imp_scope) "
                "AND NOT pending "
                "AND NOT EXISTS (SELECT 1 FROM imp_grmx s WHERE s.ywlsh = inquiry_ledgerentry.serial_no) "
                "AND NOT EXISTS (SELECT 1 FROM imp_reject r WHERE r.tbl = 'GRMX' "
                "AND r.rkey = inquiry_ledgerentry.serial_no)",
                [],
                "account_id, booked_on",
                "imp_touch",
                "account_id, start_on",
            )
        pairs = [
            ("e.account_id", "a.id"),
            ("e.booked_on", "s.booked_on"),
            ("e.kind", "s.kind"),
            ("e.period", "s.period"),
            ("e.amount", "s.amount"),
            ("e.summary", "s.summary"),
            ("e.withdrawal_reason", "s.reason"),
        ]
        sql.table_from(
            "imp_led",
            "SELECT s.line_no, s.ywlsh, s.rev, s.booked_on, s.kind, s.amount, s.reason, s.period, s.summary, "
            "a.id AS account_id, e.id AS old_id, e.account_id AS old_account_id, e.booked_on AS old_booked_on, "
            "CASE WHEN e.pending THEN 1 ELSE 0 END AS old_pending, "
            f"CASE WHEN e.id IS NULL OR s.rev = 1 OR e.pending OR {_differs(sql, pairs)} THEN 1 ELSE 0 END AS changed "
            "FROM imp_grmx s JOIN inquiry_fundaccount a ON a.account_no = s.grzh "
            "LEFT JOIN inquiry_ledgerentry e ON e.serial_no = s.ywlsh WHERE s.kind IS NOT NULL",
        )
        sql.run(
            "INSERT INTO imp_touch (account_id, start_on) "
            "SELECT account_id, MIN(booked_on) FROM imp_led WHERE changed = 1 AND rev = 0 GROUP BY account_id "
            "UNION ALL SELECT old_account_id, MIN(old_booked_on) FROM imp_led "
            "WHERE changed = 1 AND old_id IS NOT NULL GROUP BY old_account_id"
        )
        # The core's own row for a 待入账 entry confirms it, in place: one row.
        self.changes.booked += [
            row[0] for row in sql.rows("SELECT ywlsh FROM imp_led WHERE rev = 0 AND old_pending = 1 ORDER BY line_no")
        ]
        if not self.full:
            # A withdrawal booked after the portal gave up waiting (its 待入账
            # entry already reversed): the core has it, so the decision is
            # booked after all (docs/interchange.md 12.2). New withdrawal rows
            # of a delta are named; serials that are no decision are ignored.
            self.changes.booked += [
                row[0]
                for row in sql.rows(
                    "SELECT ywlsh FROM imp_led WHERE rev = 0 AND old_id IS NULL AND kind = %s ORDER BY line_no",
                    [WITHDRAWAL],
                )
            ]
        sql.run(
            "UPDATE inquiry_ledgerentry SET account_id = x.account_id, booked_on = x.booked_on, kind = x.kind, "
            "period = x.period, amount = x.amount, summary = x.summary, withdrawal_reason = x.reason, pending = FALSE "
            "FROM imp_led x WHERE inquiry_ledgerentry.id = x.old_id AND x.rev = 0 AND x.changed = 1"
        )
        # 冲账: the row it names is gone.
        sql.run(
            "DELETE FROM inquiry_ledgerentry WHERE id IN "
            "(SELECT old_id FROM imp_led WHERE rev = 1 AND old_id IS NOT NULL)"
        )

    def results(self) -> None:
        """JDFK: the core refuses the portal's decisions (CLJG 02): a 待入账
        entry under that serial is reversed (the balance follows below)."""
        sql = self.sql
        refused = sql.rows("SELECT ywlsh, jjyy FROM imp_jdfk WHERE cljg = '02' ORDER BY line_no")
        booked = set(self.changes.booked)
        self.changes.refused = {serial: reason for serial, reason in refused if serial not in booked}
        sql.track(
            "DELETE FROM inquiry_ledgerentry WHERE pending AND serial_no IN "
            "(SELECT ywlsh FROM imp_jdfk WHERE cljg = '02')",
            [],
            "account_id, booked_on",
            "imp_touch",
            "account_id, start_on",
        )

    def balances(self) -> None:
        """Running balances from the earliest changed day on, for every
        account whose ledger changed, computed over its rows from that day
        and the batch's new rows together: the new rows are inserted with
        theirs (in account and day order, so that an account's rows lie
        together on disk), the existing ones updated where it differs.
        Then each touched account's balance.

        A booked row's balance_after is the core's running balance (booked
        rows only); a 待入账 row's includes the pending rows up to it, as the
        portal gave it when the decision was made. The balance is the sum of
        all, pending included (no overdraw while the core has not booked)."""
        sql = self.sql
        sql.table_from(
            "imp_acct",
            "SELECT account_id, MIN(start_on) AS start_on FROM (SELECT account_id, start_on FROM imp_touch "
            "UNION ALL SELECT account_id, CAST(NULL AS DATE) FROM imp_acc) t GROUP BY account_id",
        )
        sql.index("imp_acct", "account_id")
        sql.analyze("imp_acct")
        sql.table_from(
            "imp_base",
            "SELECT t.account_id, t.start_on, "
            "COALESCE((SELECT e.balance_after FROM inquiry_ledgerentry e WHERE e.account_id = t.account_id "
            "AND NOT e.pending AND e.booked_on < t.start_on ORDER BY e.booked_on DESC, e.id DESC LIMIT 1), 0) "
            "AS booked_base, "
            "COALESCE((SELECT SUM(e.amount) FROM inquiry_ledgerentry e WHERE e.account_id = t.account_id "
            "AND e.pending AND e.booked_on < t.start_on), 0) AS pending_base "
            "FROM imp_acct t WHERE t.start_on IS NOT NULL",
        )
        sql.index("imp_base", "account_id")
        sql.analyze("imp_base")
        # Within a day: the rows already there (by id), then the new ones in file order.
        window = "PARTITION BY s.account_id ORDER BY s.booked_on, s.new, s.ord ROWS UNBOUNDED PRECEDING"
        sql.table_from(
            "imp_run",
            "SELECT s.*, "
            f"b.booked_base + SUM(CASE WHEN s.pending = 1 THEN 0 ELSE s.amount END) OVER ({window}) AS booked_run, "
            f"b.booked_base + b.pending_base + SUM(s.amount) OVER ({window}) AS all_run "
            "FROM (SELECT e.account_id, e.booked_on, 0 AS new, e.id AS ord, e.amount, "
            "CASE WHEN e.pending THEN 1 ELSE 0 END AS pending, e.balance_after AS old, "
            "CAST(NULL AS TEXT) AS kind, CAST(NULL AS TEXT) AS period, CAST(NULL AS TEXT) AS summary, "
            "CAST(NULL AS TEXT) AS reason, CAST(NULL AS TEXT) AS ywlsh "
            "FROM inquiry_ledgerentry e JOIN imp_base b ON b.account_id = e.account_id AND e.booked_on >= b.start_on "
            "UNION ALL SELECT l.account_id, l.booked_on, 1, l.line_no, l.amount, 0, CAST(NULL AS NUMERIC), "
            "l.kind, l.period, l.summary, l.reason, l.ywlsh FROM imp_led l WHERE l.old_id IS NULL AND l.rev = 0) s "
            "JOIN imp_base b ON b.account_id = s.account_id",
        )
        balance = sql.money(sql.greatest("CASE WHEN r.pending = 1 THEN r.all_run ELSE r.booked_run END", "0"))
        sql.run(
            f"UPDATE inquiry_ledgerentry SET balance_after = x.balance FROM (SELECT r.ord, {balance} AS balance, r.old "
            f"FROM imp_run r WHERE r.new = 0) x WHERE inquiry_ledgerentry.id = x.ord AND x.balance <> x.old"
        )
        insert = (
            "INSERT INTO inquiry_ledgerentry (account_id, booked_on, kind, period, amount, balance_after, summary, "
            f"withdrawal_reason, serial_no, pending) SELECT r.account_id, r.booked_on, r.kind, r.period, r.amount, "
            f"{balance}, r.summary, r.reason, r.ywlsh, FALSE FROM imp_run r WHERE r.new = 1 "
            "ORDER BY r.account_id, r.booked_on, r.ord"
        )
        if self.full and sql.empty_locked("inquiry_ledgerentry"):
            # The initial load (a full batch into an empty ledger): millions of
            # rows; its indexes and checks are built once afterwards. Its
            # version triggers do nothing while versions are deferred.
            with sql.bulk_insert("inquiry_ledgerentry", versioning.trigger_names("inquiry_ledgerentry")):
                sql.run(insert)
        else:
            sql.run(insert)
        self.negative = {
            row[0] for row in sql.rows("SELECT DISTINCT account_id FROM imp_run WHERE booked_run < 0 OR all_run < 0")
        }
        sql.table_from(
            "imp_tot",
            "SELECT t.account_id, "
            "COALESCE((SELECT e.balance_after FROM inquiry_ledgerentry e WHERE e.account_id = t.account_id "
            "AND NOT e.pending ORDER BY e.booked_on DESC, e.id DESC LIMIT 1), 0) AS booked, "
            "COALESCE((SELECT SUM(e.amount) FROM inquiry_ledgerentry e WHERE e.account_id = t.account_id "
            "AND e.pending), 0) AS pending FROM imp_acct t",
        )
        self.negative |= {row[0] for row in sql.rows("SELECT account_id FROM imp_tot WHERE booked + pending < 0")}
        total = sql.money(sql.greatest("t.booked + t.pending", "0"))
        sql.track(
            f"UPDATE inquiry_fundaccount SET balance = x.total FROM (SELECT t.account_id, {total} AS total "
            f"FROM imp_tot t) x WHERE inquiry_fundaccount.id = x.account_id AND inquiry_fundaccount.balance <> x.total",
            [],
            "inquiry_fundaccount.id",
            "imp_chg_account",
            "account_id",
        )

    # --- 贷款 ----------------------------------------------------------------

    def contracts(self) -> None:
        sql = self.sql
        sql.table_from(
            "imp_con",
            "SELECT h.line_no, h.jkhtbh, a.member_id, h.amount, h.term_months, h.annual_rate, h.method, h.applied_on, "
            "h.sqywlsh, c.id AS contract_id, CASE WHEN c.id IS NULL THEN 1 ELSE 0 END AS fresh "
            "FROM imp_dkht h JOIN inquiry_fundaccount a ON a.account_no = h.grzh "
            "LEFT JOIN inquiry_loancontract c ON c.contract_no = h.jkhtbh",
        )
        # A contract without a loan account (贷款账户) is 未发放.
        sql.track(
            "INSERT INTO inquiry_loancontract (member_id, contract_no, amount, term_months, annual_rate, "
            "repayment_method, disbursed_on, status, outstanding_principal, monthly_payment, applied_on, "
            "remaining_months, next_due_on, settled_on, loan_account_no, decision_serial_no, discrepancy) "
            "SELECT x.member_id, x.jkhtbh, x.amount, x.term_months, COALESCE(z.annual_rate, x.annual_rate), x.method, "
            f"z.disbursed_on, COALESCE(z.status, '{NOT_DISBURSED}'), COALESCE(z.outstanding, 0), z.monthly_payment, "
            "x.applied_on, COALESCE(z.remaining_months, 0), z.next_due_on, z.settled_on, COALESCE(z.dkzh, ''), "
            "x.sqywlsh, '' "
            "FROM imp_con x LEFT JOIN imp_dkzhxx z ON z.jkhtbh = x.jkhtbh WHERE x.fresh = 1 ORDER BY x.line_no",
            [],
            "inquiry_loancontract.id",
            "imp_chg_contract",
            "contract_id",
        )
        sql.run(
            "UPDATE imp_con SET contract_id = (SELECT c.id FROM inquiry_loancontract c "
            "WHERE c.contract_no = imp_con.jkhtbh) WHERE fresh = 1"
        )
        fresh = sql.rows(
            f"SELECT c.id, c.decision_serial_no, c.status IN ({RUNNING}) FROM imp_con x "
            f"JOIN inquiry_loancontract c ON c.id = x.contract_id WHERE x.fresh = 1 AND x.sqywlsh <> '' "
            f"ORDER BY x.line_no"
        )
        # A contract made for the portal's approved loan application: the
        # decision is booked; paid out already, the member hears of it.
        self.changes.booked += [serial for _, serial, _ in fresh]
        self.changes.disbursed_contracts += [pk for pk, _, running in fresh if running]
        # Existing contracts: their terms (DKHT) and their loan account
        # (DKZHXX) in one row each, written by one statement, so the checks
        # (余额 ≤ 金额 …) hold on the final values. In a full batch, a contract
        # without its loan account row has none (未发放); in a delta it keeps its own.
        reset = "1" if self.full else "0"
        keep = f"(z.dkzh IS NULL AND (x.contract_id IS NULL OR {reset} = 0))"
        loan_rate = (
            "CASE WHEN z.dkzh IS NOT NULL THEN z.annual_rate "
            "WHEN x.contract_id IS NOT NULL AND (c.loan_account_no = '' OR " + reset + " = 1) THEN x.annual_rate "
            "ELSE c.annual_rate END"
        )

        def account_field(column: str, reset_value: str, source: str) -> str:
            return f"CASE WHEN z.dkzh IS NOT NULL THEN {source} WHEN {keep} THEN c.{column} ELSE {reset_value} END"

        not_disbursed = f"'{NOT_DISBURSED}'"
        loan_account_fields = [
            ("loan_account_no", "''", "z.dkzh"),
            ("disbursed_on", "NULL", "z.disbursed_on"),
            ("status", not_disbursed, "z.status"),
            ("outstanding_principal", "0", "z.outstanding"),
            ("monthly_payment", "NULL", "z.monthly_payment"),
            ("remaining_months", "0", "z.remaining_months"),
            ("next_due_on", "NULL", "z.next_due_on"),
            ("settled_on", "NULL", "z.settled_on"),
        ]
        sql.table_from(
            "imp_cupd",
            "SELECT c.id AS contract_id, c.member_id, c.status AS old_status, c.decision_serial_no AS old_serial, "
            "COALESCE(x.amount, c.amount) AS amount, COALESCE(x.term_months, c.term_months) AS term_months, "
            f"{loan_rate} AS annual_rate, COALESCE(x.method, c.repayment_method) AS repayment_method, "
            "COALESCE(x.applied_on, c.applied_on) AS applied_on, "
            "CASE WHEN x.sqywlsh IS NOT NULL AND x.sqywlsh <> '' THEN x.sqywlsh ELSE c.decision_serial_no END "
            "AS decision_serial_no, "
            + ", ".join(f"{account_field(*spec)} AS {spec[0]}" for spec in loan_account_fields)
            + " "
            "FROM inquiry_loancontract c "
            "LEFT JOIN imp_con x ON x.contract_id = c.id AND x.fresh = 0 "
            "LEFT JOIN imp_dkzhxx z ON z.jkhtbh = c.contract_no "
            "WHERE (x.contract_id IS NOT NULL OR z.dkzh IS NOT NULL) "
            "AND c.id NOT IN (SELECT contract_id FROM imp_con WHERE fresh = 1)",
        )
        columns = [
            "amount",
            "term_months",
            "annual_rate",
            "repayment_method",
            "applied_on",
            "decision_serial_no",
            "loan_account_no",
            "disbursed_on",
            "status",
            "outstanding_principal",
            "monthly_payment",
            "remaining_months",
            "next_due_on",
            "settled_on",
        ]
        self.changes.disbursed_contracts += [
            row[0]
            for row in sql.rows(
                f"SELECT contract_id FROM imp_cupd WHERE old_status = '{NOT_DISBURSED}' AND status IN ({RUNNING}) "
                f"ORDER BY contract_id"
            )
        ]
        self.changes.booked += [
            row[0]
            for row in sql.rows(
                "SELECT decision_serial_no FROM imp_cupd WHERE old_serial = '' AND decision_serial_no <> '' "
                "ORDER BY contract_id"
            )
        ]
        sets = ", ".join(f"{column} = x.{column}" for column in columns)
        differs = _differs(sql, [(f"inquiry_loancontract.{c}", f"x.{c}") for c in columns])
        sql.track(
            f"UPDATE inquiry_loancontract SET {sets} FROM imp_cupd x "
            f"WHERE inquiry_loancontract.id = x.contract_id AND ({differs})",
            [],
            "inquiry_loancontract.id",
            "imp_chg_contract",
            "contract_id",
        )
        # Every contract of the batch: its repayments' sums depend on its amount.
        sql.run(
            "INSERT INTO imp_ctouch (contract_id) SELECT contract_id FROM imp_con "
            "UNION SELECT contract_id FROM imp_cupd"
        )

    def repayments(self) -> None:
        sql = self.sql
        if self.full:
            sql.track(
                "DELETE FROM inquiry_repayment WHERE contract_id IN (SELECT c.id FROM inquiry_loancontract c "
                "WHERE c.member_id IN (SELECT member_id FROM imp_mscope)) "
                "AND NOT EXISTS (SELECT 1 FROM imp_dkmx s WHERE s.repay = 1 AND s.ywlsh = inquiry_repayment.serial_no) "
                "AND NOT EXISTS (SELECT 1 FROM imp_reject r WHERE r.tbl = 'DKMX' "
                "AND r.rkey = inquiry_repayment.serial_no)",
                [],
                "contract_id",
                "imp_chg_contract",
                "contract_id",
            )
            sql.run("INSERT INTO imp_ctouch (contract_id) SELECT contract_id FROM imp_chg_contract")
        pairs = [
            ("r.contract_id", "c.id"),
            ("r.repaid_on", "s.repaid_on"),
            ("r.principal", "s.principal"),
            ("r.interest", "s.interest"),
            ("r.period_no", "s.period_no"),
        ]
        sql.table_from(
            "imp_rep",
            "SELECT s.line_no, s.ywlsh, c.id AS contract_id, s.repaid_on, s.principal, s.interest, s.period_no, "
            "r.id AS old_id, r.contract_id AS old_contract_id, "
            f"CASE WHEN r.id IS NULL OR {_differs(sql, pairs)} THEN 1 ELSE 0 END AS changed "
            "FROM imp_dkmx s JOIN inquiry_loancontract c ON c.loan_account_no = s.dkzh AND c.loan_account_no <> '' "
            "LEFT JOIN inquiry_repayment r ON r.serial_no = s.ywlsh AND r.serial_no <> '' WHERE s.repay = 1",
        )
        for target in ("imp_ctouch", "imp_chg_contract"):
            sql.run(
                f"INSERT INTO {target} (contract_id) SELECT contract_id FROM imp_rep WHERE changed = 1 "
                f"UNION SELECT old_contract_id FROM imp_rep WHERE changed = 1 AND old_id IS NOT NULL"
            )
        sql.run(
            "UPDATE inquiry_repayment SET contract_id = x.contract_id, repaid_on = x.repaid_on, "
            "principal = x.principal, interest = x.interest, period_no = x.period_no "
            "FROM imp_rep x WHERE inquiry_repayment.id = x.old_id AND x.changed = 1"
        )

    def repayment_sums(self) -> None:
        """已还本金, 已还利息 and 贷款余额 after each repayment: running sums in
        (repaid_on, id) order over each touched contract's repayments and the
        batch's new ones, which are inserted with theirs."""
        sql = self.sql
        window = "PARTITION BY s.contract_id ORDER BY s.repaid_on, s.new, s.ord ROWS UNBOUNDED PRECEDING"
        sql.table_from(
            "imp_rsum",
            "SELECT s.*, "
            f"{sql.money(f'SUM(s.principal) OVER ({window})')} AS ptd, "
            f"{sql.money(f'SUM(s.interest) OVER ({window})')} AS itd, "
            f"{sql.money(sql.greatest(f'c.amount - SUM(s.principal) OVER ({window})', '0'))} AS oa "
            "FROM (SELECT r.contract_id, r.repaid_on, 0 AS new, r.id AS ord, r.principal, r.interest, "
            "r.principal_to_date AS old_ptd, r.interest_to_date AS old_itd, r.outstanding_after AS old_oa, "
            "CAST(NULL AS TEXT) AS ywlsh, CAST(NULL AS BIGINT) AS period_no FROM inquiry_repayment r "
            "WHERE r.contract_id IN (SELECT contract_id FROM imp_ctouch) "
            "UNION ALL SELECT p.contract_id, p.repaid_on, 1, p.line_no, p.principal, p.interest, "
            "CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC), CAST(NULL AS NUMERIC), p.ywlsh, p.period_no "
            "FROM imp_rep p WHERE p.old_id IS NULL AND p.contract_id IN (SELECT contract_id FROM imp_ctouch)) s "
            "JOIN inquiry_loancontract c ON c.id = s.contract_id",
        )
        pairs = [
            ("inquiry_repayment.principal_to_date", "x.ptd"),
            ("inquiry_repayment.interest_to_date", "x.itd"),
            ("inquiry_repayment.outstanding_after", "x.oa"),
        ]
        sql.track(
            "UPDATE inquiry_repayment SET principal_to_date = x.ptd, interest_to_date = x.itd, "
            "outstanding_after = x.oa FROM imp_rsum x "
            f"WHERE x.new = 0 AND inquiry_repayment.id = x.ord AND ({_differs(sql, pairs)})",
            [],
            "inquiry_repayment.contract_id",
            "imp_chg_contract",
            "contract_id",
        )
        sql.run(
            "INSERT INTO inquiry_repayment (contract_id, repaid_on, principal, interest, principal_to_date, "
            "interest_to_date, outstanding_after, serial_no, period_no) SELECT contract_id, repaid_on, principal, "
            "interest, ptd, itd, oa, ywlsh, period_no FROM imp_rsum WHERE new = 1 "
            "ORDER BY contract_id, repaid_on, ord"
        )

    def progress(self) -> None:
        sql = self.sql
        if self.full:
            sql.track(
                "DELETE FROM inquiry_loanprogressstep WHERE contract_id IN (SELECT c.id FROM inquiry_loancontract c "
                "WHERE c.member_id IN (SELECT member_id FROM imp_mscope)) AND NOT EXISTS (SELECT 1 FROM imp_dkjd s "
                "JOIN inquiry_loancontract c ON c.contract_no = s.jkhtbh "
                'WHERE c.id = inquiry_loanprogressstep.contract_id AND s.jdxh = inquiry_loanprogressstep."order") '
                "AND NOT EXISTS (SELECT 1 FROM imp_reject r JOIN inquiry_loancontract c ON c.id = "
                "inquiry_loanprogressstep.contract_id WHERE r.tbl = 'DKJD' "
                "AND r.rkey = c.contract_no || '/' || CAST(inquiry_loanprogressstep.\"order\" AS TEXT))",
                [],
                "contract_id",
                "imp_chg_contract",
                "contract_id",
            )
        pairs = [("p.name", "s.name"), ("p.state", "s.state"), ("p.handled_at", "s.handled_at")]
        sql.table_from(
            "imp_step",
            "SELECT s.line_no, c.id AS contract_id, s.jdxh, s.name, s.state, s.handled_at, p.id AS old_id, "
            f"CASE WHEN p.id IS NULL OR {_differs(sql, pairs)} THEN 1 ELSE 0 END AS changed "
            "FROM imp_dkjd s JOIN inquiry_loancontract c ON c.contract_no = s.jkhtbh "
            'LEFT JOIN inquiry_loanprogressstep p ON p.contract_id = c.id AND p."order" = s.jdxh',
        )
        sql.track(
            "UPDATE inquiry_loanprogressstep SET name = x.name, state = x.state, handled_at = x.handled_at "
            "FROM imp_step x WHERE inquiry_loanprogressstep.id = x.old_id AND x.changed = 1",
            [],
            "inquiry_loanprogressstep.contract_id",
            "imp_chg_contract",
            "contract_id",
        )
        sql.track(
            'INSERT INTO inquiry_loanprogressstep (contract_id, "order", name, state, handled_at) '
            "SELECT contract_id, jdxh, name, state, handled_at FROM imp_step WHERE old_id IS NULL ORDER BY line_no",
            [],
            "contract_id",
            "imp_chg_contract",
            "contract_id",
        )

    def contracts_delete(self) -> None:
        """Full batch: the contracts of its members that it no longer has."""
        sql = self.sql
        sql.table_from(
            "imp_cdel",
            "SELECT c.id AS contract_id FROM inquiry_loancontract c "
            "WHERE c.member_id IN (SELECT member_id FROM imp_mscope) "
            "AND NOT EXISTS (SELECT 1 FROM imp_dkht h WHERE h.jkhtbh = c.contract_no) "
            "AND NOT EXISTS (SELECT 1 FROM imp_reject r WHERE r.tbl = 'DKHT' AND r.rkey = c.contract_no)",
        )
        sql.run("DELETE FROM inquiry_repayment WHERE contract_id IN (SELECT contract_id FROM imp_cdel)")
        sql.run("DELETE FROM inquiry_loanprogressstep WHERE contract_id IN (SELECT contract_id FROM imp_cdel)")
        sql.track(
            "DELETE FROM inquiry_loancontract WHERE id IN (SELECT contract_id FROM imp_cdel)",
            [],
            "member_id",
            "imp_chg_member",
            "member_id",
        )
        for table in ("imp_ctouch", "imp_chg_contract"):
            sql.run(f"DELETE FROM {table} WHERE contract_id IN (SELECT contract_id FROM imp_cdel)")

    # --- 核对 ----------------------------------------------------------------

    def accounts_reconcile(self) -> None:
        """For every touched account with a GRZHXX row: the core's GRZHYE
        equals the portal's booked balance (the last running balance of the
        booked rows, which is their sum). A mismatch, or a running balance
        that went below zero, flags the account; a match clears the flag."""
        sql = self.sql
        booked = sql.money("t.booked")
        flags: dict[int, list[str]] = {pk: [ACCOUNT_NEGATIVE] for pk in self.negative}
        for account_id, core, ledger in sql.rows(
            f"SELECT g.account_id, g.grzhye, {booked} FROM imp_tot t JOIN imp_acc g ON g.account_id = t.account_id "
            f"WHERE {booked} <> g.grzhye"
        ):
            message = ACCOUNT_MISMATCH.format(core=format_money(_decimal(core)), ledger=format_money(_decimal(ledger)))
            flags.setdefault(account_id, []).insert(0, message)
        self._flags_write(
            flags,
            table="inquiry_fundaccount",
            staged="imp_flag",
            cleared="SELECT account_id FROM imp_acc",
            tracked=("imp_chg_account", "account_id"),
        )
        self.changes.accounts_flagged = sql.value(
            "SELECT COUNT(*) FROM inquiry_fundaccount WHERE discrepancy <> '' "
            "AND id IN (SELECT account_id FROM imp_acct)"
        )

    def contracts_reconcile(self) -> None:
        """For every touched contract being repaid: 贷款余额 (DKYE) equals the
        amount less the principal of its repayments."""
        sql = self.sql
        sql.table_from(
            "imp_call",
            "SELECT contract_id FROM imp_ctouch UNION SELECT contract_id FROM imp_chg_contract",
        )
        repaid = "COALESCE((SELECT SUM(r.principal) FROM inquiry_repayment r WHERE r.contract_id = c.id), 0)"
        computed = sql.money(f"c.amount - {repaid}")
        flags: dict[int, list[str]] = {}
        for contract_id, core, value in sql.rows(
            f"SELECT c.id, c.outstanding_principal, {computed} FROM inquiry_loancontract c "
            f"WHERE c.id IN (SELECT contract_id FROM imp_call) AND c.status IN ({RUNNING}) "
            f"AND {computed} <> c.outstanding_principal"
        ):
            flags[contract_id] = [
                CONTRACT_MISMATCH.format(core=format_money(_decimal(core)), computed=format_money(_decimal(value)))
            ]
        self._flags_write(
            flags,
            table="inquiry_loancontract",
            staged="imp_cflag",
            cleared="SELECT contract_id FROM imp_call",
            tracked=("imp_chg_contract", "contract_id"),
        )
        self.changes.contracts_flagged = len(flags)

    def _flags_write(self, flags: dict, *, table: str, staged: str, cleared: str, tracked: tuple[str, str]) -> None:
        sql = self.sql
        sql.table_create(staged, (("id", "bigint"), ("msg", "text")))
        sql.load(staged, ("id", "msg"), ((pk, ";".join(parts)[:DISCREPANCY_MAX]) for pk, parts in flags.items()))
        into, column = tracked
        sql.track(
            f"UPDATE {table} SET discrepancy = x.msg FROM {staged} x WHERE {table}.id = x.id "
            f"AND {table}.discrepancy <> x.msg",
            [],
            f"{table}.id",
            into,
            column,
        )
        sql.track(
            f"UPDATE {table} SET discrepancy = '' WHERE discrepancy <> '' AND id IN ({cleared}) "
            f"AND id NOT IN (SELECT id FROM {staged})",
            [],
            f"{table}.id",
            into,
            column,
        )


def _decimal(value) -> Decimal:
    """A money value read back: exact on PostgreSQL, a float on SQLite."""
    return value if isinstance(value, Decimal) else Decimal(str(round(value, 2)))
