"""The sample batch in inquiry/interchange/sample/ (utf8/ and gb18030/, the
same content): four invented members, for the tests and for a center's
integrators to read beside docs/interchange.md.

- 赵样例 (DW0001): a loan (等额本息, contract, loan account, five repayments,
  the six progress steps);
- 钱样例 (DW0001): deposits and a 部分提取 (a withdrawal), and one ledger row
  with an amount of three decimals that the reader rejects (sample_rejects());
- 孙样例 (DW0002): sealed (封存), the 05 row that sealed the account;
- 李样例 (DW0002): a deposit booked twice by mistake and its 冲账 (the
  reversal carries CZBZ "1" and the YWLSH of the row it removes).

Balances are the sums of the rows (the reversed one left out), the loan
balance is the amount lent less the repaid principal: the batch reconciles.

Regenerate with
`.venv/bin/python manage.py shell -c "from inquiry.tests.interchange_sample import main; main()"`;
a test checks the committed files are what this module writes. It lives
with the tests because it spells the standard's codes as data; code outside
the tests names them through inquiry/interchange/mapping.py.
"""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from inquiry import amortization
from inquiry.interchange import schema
from inquiry.interchange.reader import CODECS, FILE_NEWLINE, MANIFEST_NAME
from inquiry.interchange.writer import batch_write, format_value
from zzgjj_portal.identity import CENTER_TZ, id_number_check_digit
from zzgjj_portal.money import to_cents

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "interchange" / "sample"
FOLDERS = {"utf8": "UTF-8", "gb18030": "GB18030"}
AS_OF = datetime(2026, 3, 1, 2, 0, tzinfo=CENTER_TZ)
BASE = Decimal("6000.00")
RATE = Decimal("0.12")
MONTHLY = to_cents(BASE * RATE)  # each side's monthly deposit
MONTHS = ["202509", "202510", "202511", "202512", "202601", "202602"]

# The row the reader rejects (written by hand: the writer refuses three decimals).
REJECTED_SERIAL = "GJ2026021500099"
REJECTED_FSE = "1440.005"
SAMPLE_REVERSED_SERIAL = "GJ2026021600004"


def _id_number(birth: date, sequence: int) -> str:
    body = f"370402{birth:%Y%m%d}{sequence:03d}"
    return body + id_number_check_digit(body)


MEMBERS = [
    # GRZH, name, sex, birth, sequence (odd: male), phone, employer
    ("370400900001", "赵样例", "1", date(1986, 4, 12), 901, "13900000001", "DW0001"),
    ("370400900002", "钱样例", "2", date(1990, 9, 3), 902, "13900000002", "DW0001"),
    ("370400900003", "孙样例", "1", date(1979, 1, 25), 903, "13900000003", "DW0002"),
    ("370400900004", "李样例", "2", date(1995, 12, 8), 904, "13900000004", "DW0002"),
]


def _deposit(account: str, month: str, serial: str) -> dict:
    return {
        "GRZH": account,
        "JZRQ": date(int(month[:4]), int(month[4:]), 15),
        "GJHTQYWLX": "01",
        "FSE": MONTHLY * 2,
        "DNGJFSE": MONTHLY * 2,
        "YWLSH": serial,
        "HJNY": month,
        "ZY": f"{month[:4]}年{int(month[4:])}月汇缴",
    }


def _ledger() -> list[dict]:
    rows = []
    for number, (account, *_rest) in enumerate(MEMBERS, start=1):
        rows.append(
            {
                "GRZH": account,
                "JZRQ": date(2025, 9, 1),
                "GJHTQYWLX": "03",
                "FSE": Decimal("0.00"),
                "YWLSH": f"GJ2025090100{number:03d}",
                "ZY": "开户",
            }
        )
        months = MONTHS[:3] if number == 3 else MONTHS
        for month in months:
            rows.append(_deposit(account, month, f"GJ{month}15{number:05d}"))
    # 钱样例 withdraws part of the balance (租房提取, by transfer).
    rows.append(
        {
            "GRZH": MEMBERS[1][0],
            "JZRQ": date(2026, 2, 20),
            "GJHTQYWLX": "11",
            "FSE": Decimal("3000.00"),
            "TQYY": "07",
            "TQFS": "02",
            "YWLSH": "GJ2026022000002",
            "ZY": "租房提取",
        }
    )
    # 孙样例's employer stopped paying: the account is sealed (封存), no money moves.
    rows.append(
        {
            "GRZH": MEMBERS[2][0],
            "JZRQ": date(2025, 12, 31),
            "GJHTQYWLX": "05",
            "FSE": Decimal("0.00"),
            "YWLSH": "GJ2025123100003",
            "ZY": "封存",
        }
    )
    # 李样例's February deposit was booked twice; the core reverses the second.
    twice = _deposit(MEMBERS[3][0], "202602", SAMPLE_REVERSED_SERIAL) | {"JZRQ": date(2026, 2, 16)}
    rows.append(twice)
    rows.append(twice | {"CZBZ": "1", "JZRQ": date(2026, 2, 17), "ZY": "冲账: 重复汇缴"})
    return rows


def _balances(ledger: list[dict]) -> dict[str, Decimal]:
    signs = {"01": 1, "11": -1}
    reversed_serials = {r["YWLSH"] for r in ledger if r.get("CZBZ") == "1"}
    totals = {m[0]: Decimal("0.00") for m in MEMBERS}
    for row in ledger:
        if row["YWLSH"] in reversed_serials:
            continue
        totals[row["GRZH"]] += signs.get(row["GJHTQYWLX"], 0) * row["FSE"]
    return totals


def _loan(account: str, name: str, id_number: str) -> dict[str, list[dict]]:
    contract, loan_account = "ZZ2025000901", "DK0000000901"
    principal, rate, term = Decimal("300000.00"), Decimal("0.0260000"), 240
    disbursed = date(2025, 9, 20)
    plan = amortization.schedule(amortization.EQUAL_INSTALLMENT, principal, rate, term, date(2025, 10, 20))
    paid = plan[:5]
    repaid_principal = sum((row.principal for row in paid), Decimal("0.00"))
    postings = [
        {
            "DKZH": loan_account,
            "YWLSH": f"DK{row.due_date:%Y%m%d}00901",
            "DKYWMXLX": "02",
            "YWFSRQ": row.due_date,
            "FSE": row.total,
            "BJJE": row.principal,
            "LXJE": row.interest,
            "DQQC": period,
            "JZRQ": row.due_date,
        }
        for period, row in enumerate(paid, start=1)
    ]
    steps = ["申请受理", "审核", "审批", "签订合同", "抵押登记", "放款"]
    step_days = [(8, 4), (8, 8), (8, 15), (8, 28), (9, 10), (9, 20)]  # the last: disbursed
    step_dates = [date(2025, month, day) for month, day in step_days]
    following = plan[5]
    return {
        "DKHT": [
            {
                "JKHTBH": contract,
                "JKRGJJZH": account,
                "JKRXM": name,
                "JKRZJLX": "01",
                "JKRZJH": id_number,
                "HTDKJE": principal,
                "DKQS": term,
                "DKHKFS": "01",
                "JKHTLL": rate,
                "YDFKRQ": disbursed,
                "YDDQRQ": date(2045, 9, 20),
                "YDHKR": 20,
                "FWZL": "枣庄市市中区样例路1号1单元101室",
                "FWZJ": Decimal("520000.00"),
                "DKDBLX": "01",
                "JKHTQDRQ": date(2025, 8, 28),
            }
        ],
        "DKZHXX": [
            {
                "DKZH": loan_account,
                "JKHTBH": contract,
                "DKFFE": principal,
                "DKFFRQ": disbursed,
                "DKYE": principal - repaid_principal,
                "DKLL": rate,
                "DKQS": term,
                "DQJHHKJE": following.total,
                "DQJHGHBJ": following.principal,
                "DQJHGHLX": following.interest,
                "HSBJZE": repaid_principal,
                "HSLXZE": sum((row.interest for row in paid), Decimal("0.00")),
                "LJYQQS": 0,
                "DKFXDJ": "01",
                "DKZT": "01",
                "SYQS": term - len(paid),
                "XQYHRQ": following.due_date,
            }
        ],
        "DKMX": postings,
        "DKJD": [
            {"JKHTBH": contract, "JDXH": order, "JDMC": step, "JDZT": "01", "BLRQ": when}
            for order, (step, when) in enumerate(zip(steps, step_dates, strict=True), start=1)
        ],
    }


def sample_tables() -> dict[str, list[dict]]:
    """The sample's rows by table (without the rejected row, which the
    writer would refuse)."""
    ledger = _ledger()
    balances = _balances(ledger)
    people, accounts = [], []
    for account, name, sex, birth, sequence, phone, employer in MEMBERS:
        people.append(
            {
                "GRZH": account,
                "XINGMING": name,
                "XINGBIE": sex,
                "ZJLX": "01",
                "ZJHM": _id_number(birth, sequence),
                "CSNY": f"{birth:%Y%m}",
                "SJHM": phone,
                "HYZK": "20",
                "JTZZ": "山东省枣庄市市中区样例路1号",
            }
        )
        sealed = account == MEMBERS[2][0]
        accounts.append(
            {
                "GRZH": account,
                "DWZH": employer,
                "GRZHZT": "02" if sealed else "01",
                "KHRQ": date(2025, 9, 1),
                "GRJCJS": BASE,
                "DWJCBL": RATE,
                "GRJCBL": RATE,
                "GRYJCE": MONTHLY,
                "DWYJCE": MONTHLY,
                "GRZHYE": balances[account],
                "GRZHSNJZYE": Decimal("0.00"),
                "GRZHDNGJYE": balances[account],
                "JZNY": "202511" if sealed else "202602",
                "GRCKZHHM": f"62220216000090000{account[-1]}",
                "GRCKZHKHYHMC": "中国工商银行枣庄分行",
            }
        )
    first = MEMBERS[0]
    return {
        "DWXX": [
            {"DWZH": "DW0001", "DWMC": "枣庄样例科技有限公司", "DWDZ": "山东省枣庄市市中区样例路8号", "DWFXR": 10},
            {"DWZH": "DW0002", "DWMC": "枣庄样例商贸有限公司", "DWDZ": "山东省枣庄市薛城区样例街2号", "DWFXR": 15},
        ],
        "GRXX": people,
        "GRZHXX": accounts,
        "GRMX": ledger,
        **_loan(first[0], first[1], _id_number(first[3], first[4])),
    }


def _rejected_line(encoding: str) -> bytes:
    row = {"GRZH": MEMBERS[1][0], "JZRQ": "20260215", "GJHTQYWLX": "02", "YWLSH": REJECTED_SERIAL, "ZY": "补缴"}
    cells = []
    for column in schema.LEDGER.columns:
        cells.append(REJECTED_FSE if column.name == "FSE" else format_value(column, row.get(column.name)))
    return (",".join(cells) + FILE_NEWLINE).encode(CODECS[encoding])


def sample_write(folder: Path, *, encoding: str) -> None:
    """Write the sample batch into `folder`: the tables through the writer,
    then the rejected row appended to GRMX.csv and the manifest's count and
    checksum for that file corrected."""
    batch_write(folder, batch_no=1, kind="full", as_of=AS_OF, tables=sample_tables(), encoding=encoding)
    path = folder / "GRMX.csv"
    with open(path, "ab") as file:
        file.write(_rejected_line(encoding))
    manifest_path = folder / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["table"] == "GRMX":
            entry["rows"] += 1
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def sample_rejects() -> list[tuple[str, int, str, str]]:
    """(table, line number, key, reason) of each row the reader rejects in
    the sample: the hand-written row, the last line of GRMX.csv."""
    line_no = len(sample_tables()["GRMX"]) + 2  # after the header and the writer's rows
    return [("GRMX", line_no, REJECTED_SERIAL, f"FSE 金额最多两位小数: {REJECTED_FSE}")]


def main() -> None:
    for name, encoding in FOLDERS.items():
        folder = SAMPLE_DIR / name
        for old in folder.glob("*"):
            old.unlink()
        sample_write(folder, encoding=encoding)
