"""Interchange rows and batches for the import's tests, written with the
format's own writer (inquiry/interchange/writer.py)."""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from inquiry.demo import make_id_number
from inquiry.interchange import writer
from zzgjj_portal.identity import CENTER_TZ

AS_OF = datetime(2026, 3, 1, 2, 0, tzinfo=CENTER_TZ)
EMPLOYER_NO = "DW0001"


def id_number(n: int) -> str:
    return make_id_number("370402", date(1985, 1, 1 + n % 28), 100 + n)


def employer(dwzh: str = EMPLOYER_NO, name: str = "枣庄测试机械有限公司") -> dict:
    return {"DWZH": dwzh, "DWMC": name}


def person(grzh: str, n: int, *, name: str = "", phone: str | None = None) -> dict:
    return {
        "GRZH": grzh,
        "XINGMING": name or f"职工{n}",
        "ZJLX": "01",
        "ZJHM": id_number(n),
        "SJHM": phone if phone is not None else f"1390000{n:04d}",
    }


def account(grzh: str, balance: str, *, dwzh: str = EMPLOYER_NO, status: str = "01", **extra) -> dict:
    row = {
        "GRZH": grzh,
        "DWZH": dwzh,
        "GRZHZT": status,
        "KHRQ": date(2015, 1, 1),
        "GRJCJS": Decimal("5000.00"),
        "DWJCBL": Decimal("0.12"),
        "GRJCBL": Decimal("0.12"),
        "GRYJCE": Decimal("600.00"),
        "DWYJCE": Decimal("600.00"),
        "GRZHYE": Decimal(balance),
    }
    row.update(extra)
    return row


def posting(grzh: str, serial: str, day: date, amount: str, *, code: str = "01", **extra) -> dict:
    row = {
        "GRZH": grzh,
        "JZRQ": day,
        "GJHTQYWLX": code,
        "FSE": Decimal(amount),
        "YWLSH": serial,
        "HJNY": f"{day:%Y%m}" if code in ("01", "02") else None,
    }
    if code in ("11", "12"):
        row["TQYY"] = "07"
    row.update(extra)
    return row


def contract(no: str, grzh: str, amount: str = "300000.00", **extra) -> dict:
    row = {
        "JKHTBH": no,
        "JKRGJJZH": grzh,
        "HTDKJE": Decimal(amount),
        "DKQS": 240,
        "DKHKFS": "01",
        "JKHTLL": Decimal("0.0325"),
        "JKHTQDRQ": date(2024, 6, 1),
    }
    row.update(extra)
    return row


def loan_account(
    dkzh: str, no: str, outstanding: str, *, amount: str = "300000.00", status: str = "01", **extra
) -> dict:
    row = {
        "DKZH": dkzh,
        "JKHTBH": no,
        "DKFFE": Decimal(amount),
        "DKFFRQ": date(2024, 7, 1),
        "DKYE": Decimal(outstanding),
        "DKLL": Decimal("0.0325"),
        "DKQS": 240,
        "DQJHHKJE": Decimal("1701.59"),
        "DKZT": status,
        "SYQS": 230,
        "XQYHRQ": date(2026, 4, 1),
    }
    row.update(extra)
    return row


def repayment(dkzh: str, serial: str, day: date, principal: str, interest: str, *, period: int = 1) -> dict:
    p, i = Decimal(principal), Decimal(interest)
    return {
        "DKZH": dkzh,
        "YWLSH": serial,
        "DKYWMXLX": "02",
        "YWFSRQ": day,
        "FSE": p + i,
        "BJJE": p,
        "LXJE": i,
        "DQQC": period,
    }


def step(no: str, order: int, name: str, state: str = "01", day: date | None = date(2024, 6, 1)) -> dict:
    return {"JKHTBH": no, "JDXH": order, "JDMC": name, "JDZT": state, "BLRQ": day}


def result(serial: str, refused: bool = True, reason: str = "账户已冻结") -> dict:
    return {"YWLSH": serial, "CLJG": "02" if refused else "01", "JJYY": reason if refused else None}


def rewrite(folder: Path, table: str, old: str, new: str) -> None:
    """Edit a written file (a value the writer would refuse to write) and
    put its new SHA-256 in the manifest: a well-formed batch with a bad row."""
    path = folder / f"{table}.csv"
    path.write_bytes(path.read_bytes().replace(old.encode(), new.encode()))
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["table"] == table:
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def batch(folder: Path, batch_no: int, kind: str = "delta", *, encoding: str = "UTF-8", **tables) -> Path:
    """Write a batch of `tables` (name -> rows) into folder/batch<no> and return that folder."""
    path = Path(folder) / f"batch{batch_no}-{kind}"
    writer.batch_write(path, batch_no=batch_no, kind=kind, as_of=AS_OF, tables=tables, encoding=encoding)
    return path
