"""The core system's outbox API (/api/core/outbox/...): the decisions offered,
and the acknowledgement of the ones received.

Unlike the push API, fields (and query parameters) the schema does not know
are refused: the API is new, no client sends extras, and a misspelt `after`
or `serial_no` silently ignored would read from the start or acknowledge nothing.
"""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from tasks.models.decisions import Decision
from tasks.schemas.common import text

# Largest value of a BigAutoField: a bigger cursor would make the database
# raise (SQLite: Python int too large; PostgreSQL: bigint out of range).
MAX_CURSOR = 2**63 - 1
PAGE_DEFAULT = 100
PAGE_MAX = 1000
ACK_MAX = 1000
SERIAL_NO_MAX_LENGTH = Decision._meta.get_field("serial_no").max_length

SerialNo = text(max_length=SERIAL_NO_MAX_LENGTH)


class DecisionOut(Schema):
    """One decision (业务决定) of the portal for the core to book, as the file export's WTJD row."""

    serial_no: str = Field(description="业务流水号 (YWLSH) the portal assigned; the core books under it.")
    kind: Literal[tuple(Decision.Kind.values)] = Field(description="业务类型: withdrawal 提取 · loan 贷款.")
    account_no: str = Field(description="个人账号 (GRZH).")
    amount: str = Field(
        description="金额, yuan with two decimals as a string (no float rounding).",
        json_schema_extra={"pattern": r"^\d+\.\d{2}$"},
    )
    bank_account_no: str = Field(description="收款银行账号 on file (may be empty).")
    withdrawal_reason: str = Field(description="提取原因, JGJ/T 320 A.7 code; empty for a loan.")
    close_account: bool = Field(description="销户提取: the withdrawal closes the account.")
    term_months: int | None = Field(description="贷款期数 (months); null for a withdrawal.")
    annual_rate: str | None = Field(
        description="年利率 as a fraction with five decimals (0.03100 is 3.1 %); null for a withdrawal.",
        json_schema_extra={"pattern": r"^\d+\.\d{5}$"},
    )
    repayment_method: str = Field(
        description="还款方式: equal_installment 等额本息 · equal_principal 等额本金; empty for a withdrawal."
    )
    created_at: datetime = Field(description="When the decision was made (审批时间), ISO 8601 with offset.")

    @staticmethod
    def resolve_amount(obj: Decision) -> str:
        return f"{obj.amount:.2f}"

    @staticmethod
    def resolve_annual_rate(obj: Decision) -> str | None:
        return None if obj.annual_rate is None else f"{obj.annual_rate:.5f}"


class OutboxPage(Schema):
    items: list[DecisionOut] = Field(description="Unacknowledged decisions with id > after, oldest first.")
    next: int | None = Field(
        description="The cursor for the next page (pass it as `after`) when this page is full; "
        "null when there is nothing more now: poll again later from after=0, which offers "
        "again every decision not yet acknowledged."
    )


class AckIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"serial_nos": ["WT202611280000000001"]}]}
    )

    serial_nos: list[SerialNo] = Field(
        min_length=1,
        max_length=ACK_MAX,
        description="业务流水号 of the decisions received (1 to 1,000; repeats are harmless).",
    )


class AckOut(BaseModel):
    acknowledged: int = Field(
        description="How many decisions this request acknowledged (a decision acknowledged before counts 0)."
    )
    unknown: list[str] = Field(description="The serial numbers that name no decision of the portal.")
