"""The interchange format (docs/interchange.md): the writer, batch_open's
refusals, rows_read's typed rows and rejects, the sample batch and the
document's coverage of the schema. No database."""

import hashlib
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from inquiry.interchange import document, reader, schema, writer
from inquiry.interchange.reader import BatchRefused, CzbzFlags, Row, RowReject, batch_open, rows_read
from inquiry.interchange.writer import WriteError, batch_write, format_value
from inquiry.tests.interchange_sample import (
    FOLDERS,
    SAMPLE_DIR,
    SAMPLE_REVERSED_SERIAL,
    sample_rejects,
    sample_tables,
    sample_write,
)
from zzgjj_portal.identity import CENTER_TZ, id_number_check_digit

AS_OF = datetime(2026, 3, 1, 2, 0, tzinfo=CENTER_TZ)
DOC = Path(__file__).resolve().parents[2] / "docs" / "interchange.md"
LEDGER_HEADER = ",".join(schema.LEDGER.column_names)


def id_number(sequence: int = 901) -> str:
    body = f"370402198604{sequence % 28 + 1:02d}{sequence:03d}"
    return body + id_number_check_digit(body)


def ledger_line(serial: str, *, fse: str = "100.00", kind: str = "01", jzrq: str = "20260105", zy: str = "汇缴") -> str:
    cells = {c: "" for c in schema.LEDGER.column_names}
    cells |= {"GRZH": "370400900001", "JZRQ": jzrq, "GJHTQYWLX": kind, "FSE": fse, "YWLSH": serial, "ZY": zy}
    return ",".join(cells.values())


def raw_batch(folder: Path, files: dict[str, bytes], *, encoding: str = "UTF-8", **manifest) -> Path:
    """A batch written byte for byte (for what the writer would never write),
    with a manifest that matches the files: counts as the reader counts."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for table, data in files.items():
        (folder / f"{table}.csv").write_bytes(data)
        rows, _ = reader.file_scan(folder / f"{table}.csv")
        entries.append(
            {"table": table, "file": f"{table}.csv", "rows": rows, "sha256": hashlib.sha256(data).hexdigest()}
        )
    content = {"batch_no": 1, "kind": "delta", "as_of": AS_OF.isoformat(), "encoding": encoding, "files": entries}
    content |= manifest
    (folder / "manifest.json").write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return folder


def read_all(folder: Path, table: str, **kwargs) -> list[Row | RowReject]:
    manifest = batch_open(folder)
    return list(rows_read(folder, manifest, table, **kwargs))


def rejects(items) -> list[tuple[int, str, str]]:
    return [(r.line_no, r.key, r.reason) for r in items if isinstance(r, RowReject)]


def ledger_rows(**changes) -> list[dict]:
    row = {
        "GRZH": "370400900001",
        "JZRQ": date(2026, 1, 5),
        "GJHTQYWLX": "01",
        "FSE": Decimal("100.00"),
        "YWLSH": "GJ1",
    }
    return [row | changes]


def write_one(tmp_path: Path, table: str, rows: list[dict]) -> Path:
    folder = tmp_path / "batch"
    batch_write(folder, batch_no=1, kind="delta", as_of=AS_OF, tables={table: rows})
    return folder


# ------------------------------------------------------------------ writer


def test_format_value():
    fse = schema.LEDGER.column("FSE")
    assert format_value(fse, None) == ""
    assert format_value(fse, Decimal("1234.5")) == "1234.50"
    assert format_value(fse, Decimal("1234.50")) == "1234.50"
    assert format_value(fse, Decimal("-3.10")) == "-3.10"
    assert format_value(fse, 12) == "12.00"
    with pytest.raises(WriteError, match="最多两位小数"):
        format_value(fse, Decimal("1.234"))
    with pytest.raises(WriteError):
        format_value(fse, 1.5)  # a float is never money
    with pytest.raises(WriteError, match="超出范围"):
        format_value(fse, Decimal("1E+16"))
    assert format_value(schema.LEDGER.column("JZRQ"), date(2026, 1, 5)) == "20260105"
    with pytest.raises(WriteError):
        format_value(schema.LEDGER.column("JZRQ"), datetime(2026, 1, 5, 23, 0, tzinfo=UTC))
    assert format_value(schema.LEDGER.column("HJNY"), "202601") == "202601"
    assert format_value(schema.LEDGER.column("HJNY"), date(2026, 1, 5)) == "202601"
    assert format_value(schema.CONTRACTS.column("DKQS"), 240) == "240"
    assert format_value(schema.ACCOUNTS.column("DWJCBL"), Decimal("0.12")) == "0.12"
    assert format_value(schema.CONTRACTS.column("JKHTLL"), Decimal("0.0310000")) == "0.0310000"
    with pytest.raises(WriteError):
        format_value(schema.ACCOUNTS.column("DWJCBL"), Decimal("0.125"))
    with pytest.raises(WriteError, match="超过20个字符"):
        format_value(schema.LEDGER.column("GRZH"), "1" * 21)
    with pytest.raises(WriteError, match="换行"):
        format_value(schema.LEDGER.column("ZY"), "两行\n摘要")


def test_batch_write_refuses_a_bad_batch(tmp_path):
    with pytest.raises(WriteError):
        batch_write(tmp_path, batch_no=0, kind="full", as_of=AS_OF, tables={})
    with pytest.raises(WriteError):
        batch_write(tmp_path, batch_no=1, kind="all", as_of=AS_OF, tables={})
    with pytest.raises(WriteError):
        batch_write(tmp_path, batch_no=1, kind="full", as_of=datetime(2026, 3, 1), tables={})
    with pytest.raises(WriteError):
        batch_write(tmp_path, batch_no=1, kind="full", as_of=AS_OF, tables={"XYZ": []})
    with pytest.raises(WriteError):
        batch_write(tmp_path, batch_no=1, kind="full", as_of=AS_OF, tables={}, encoding="latin-1")


def test_writer_streams_in_chunks_and_counts(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "CHUNK_ROWS", 7)
    rows = (ledger_rows(YWLSH=f"GJ{i}")[0] for i in range(50))  # a generator: never a list
    manifest = batch_write(tmp_path, batch_no=3, kind="delta", as_of=AS_OF, tables={"GRMX": rows})
    data = (tmp_path / "GRMX.csv").read_bytes()
    assert manifest.files["GRMX"].rows == 50
    assert manifest.files["GRMX"].sha256 == hashlib.sha256(data).hexdigest()
    assert data.count(b"\r\n") == 51
    assert batch_open(tmp_path) == manifest


@pytest.mark.parametrize("encoding", ["UTF-8", "GB18030"])
def test_round_trip(tmp_path, encoding):
    tables = sample_tables()
    manifest = batch_write(tmp_path, batch_no=1, kind="full", as_of=AS_OF, tables=tables, encoding=encoding)
    assert batch_open(tmp_path) == manifest
    assert manifest.encoding == encoding
    codec = {"UTF-8": "utf-8", "GB18030": "gb18030"}[encoding]
    assert "赵样例" in (tmp_path / "GRXX.csv").read_bytes().decode(codec)
    for name, rows in tables.items():
        table = schema.BY_NAME[name]
        read = list(rows_read(tmp_path, manifest, name))
        assert all(isinstance(r, Row) for r in read), rejects(read)
        assert [r.line_no for r in read] == list(range(2, len(rows) + 2))
        for row, got in zip(rows, read, strict=True):
            assert got.values == {c: row.get(c) for c in table.column_names}


def test_gb18030_carries_what_gbk_cannot(tmp_path):
    """A name with a character outside GBK (four bytes in GB18030) survives."""
    rows = [{"GRZH": "1", "XINGMING": "王𠮷", "ZJLX": "01", "ZJHM": id_number()}]
    manifest = batch_write(tmp_path, batch_no=1, kind="delta", as_of=AS_OF, tables={"GRXX": rows}, encoding="GB18030")
    assert "王𠮷".encode("gb18030") in (tmp_path / "GRXX.csv").read_bytes()
    (row,) = rows_read(tmp_path, batch_open(tmp_path), "GRXX")
    assert row.values["XINGMING"] == "王𠮷"
    assert manifest.encoding == "GB18030"


def test_round_trip_of_the_export_table(tmp_path):
    decision = {
        "YWLSH": "WT202603010001",
        "YWLX": "01",
        "GRZH": "370400900001",
        "FSE": Decimal("3000.00"),
        "TQYY": "07",
        "XHBZ": "0",
        "GRCKZHHM": "6222021600009000001",
        "SPSJ": "2026-03-01 09:30:00",
    }
    manifest = batch_write(tmp_path, batch_no=1, kind="delta", as_of=AS_OF, tables={"WTJD": [decision]})
    with pytest.raises(BatchRefused):
        batch_open(tmp_path)  # not a table of an import batch
    assert batch_open(tmp_path, tables=schema.EXPORT_TABLES) == manifest
    (row,) = rows_read(tmp_path, manifest, "WTJD")
    assert row.values == {c: decision.get(c) for c in schema.DECISIONS.column_names}


# -------------------------------------------------------------- batch_open


@pytest.fixture
def batch(tmp_path) -> Path:
    folder = tmp_path / "batch"
    rows = [ledger_rows(YWLSH=f"GJ{i}")[0] for i in range(3)]
    batch_write(folder, batch_no=5, kind="delta", as_of=AS_OF, tables={"GRMX": rows, "DWXX": []})
    return folder


def manifest_edit(folder: Path, **changes) -> None:
    path = folder / "manifest.json"
    content = json.loads(path.read_text(encoding="utf-8"))
    content |= changes
    path.write_text(json.dumps(content), encoding="utf-8")


def refused(folder: Path) -> BatchRefused:
    with pytest.raises(BatchRefused) as caught:
        batch_open(folder)
    return caught.value


def test_batch_open_reads_the_manifest(batch):
    manifest = batch_open(batch)
    assert (manifest.batch_no, manifest.kind, manifest.as_of, manifest.encoding) == (5, "delta", AS_OF, "UTF-8")
    assert list(manifest.files) == ["GRMX", "DWXX"]
    assert manifest.files["GRMX"].rows == 3
    assert manifest.files["DWXX"].rows == 0


def test_naive_as_of_is_shanghai_time_and_gbk_reads_as_gb18030(batch):
    manifest_edit(batch, as_of="2026-03-01T02:00:00", encoding="gbk")
    manifest = batch_open(batch)
    assert manifest.as_of == AS_OF
    assert manifest.encoding == "GB18030"


def test_checksum_refused(batch):
    path = batch / "GRMX.csv"
    path.write_bytes(path.read_bytes().replace(b"100.00", b"900.00", 1))
    error = refused(batch)
    assert error.code == "checksum"
    assert "GRMX.csv" in error.message and "SHA-256" in error.message


def test_row_count_refused(batch):
    content = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    content["files"][0]["rows"] = 4
    (batch / "manifest.json").write_text(json.dumps(content), encoding="utf-8")
    error = refused(batch)
    assert error.code == "row_count"
    assert error.message == "GRMX.csv 有 3 行数据, manifest.json 为 4 行"


def test_missing_file_refused(batch):
    (batch / "DWXX.csv").unlink()
    error = refused(batch)
    assert (error.code, error.message) == ("file_missing", "manifest.json 列出的文件不存在: DWXX.csv")


def test_extra_file_refused(batch):
    (batch / "GRXX.csv").write_text("GRZH\n", encoding="utf-8")
    error = refused(batch)
    assert (error.code, error.message) == ("file_extra", "批次目录中有 manifest.json 未列出的文件: GRXX.csv")


def test_missing_manifest_refused(batch):
    (batch / "manifest.json").unlink()
    assert refused(batch).code == "manifest_missing"
    assert refused(batch.parent / "nowhere").code == "batch_folder"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"batch_no": 0}, "batch_no"),
        ({"batch_no": "5"}, "batch_no"),
        ({"batch_no": True}, "batch_no"),
        ({"kind": "partial"}, "kind"),
        ({"as_of": "2026-02-30T00:00:00"}, "as_of"),
        ({"as_of": 20260301}, "as_of"),
        ({"encoding": "latin-1"}, "encoding"),
        ({"files": {"GRMX": "GRMX.csv"}}, "files"),
        ({"files": [{"table": "GRMX"}]}, "files"),
        ({"files": [{"table": "GRMX", "file": "../GRMX.csv", "rows": 3, "sha256": "0" * 64}]}, "文件名"),
        ({"files": [{"table": "GRMX", "file": "GRMX.csv", "rows": -1, "sha256": "0" * 64}]}, "rows"),
        ({"files": [{"table": "GRMX", "file": "GRMX.csv", "rows": 3, "sha256": "abc"}]}, "sha256"),
    ],
)
def test_bad_manifest_refused(batch, change, words):
    manifest_edit(batch, **change)
    error = refused(batch)
    assert error.code == "manifest_invalid"
    assert words in error.message


def test_manifest_not_json_refused(batch):
    (batch / "manifest.json").write_text("{batch_no: 1", encoding="utf-8")
    error = refused(batch)
    assert error.code == "manifest_invalid" and "JSON" in error.message
    (batch / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    assert refused(batch).code == "manifest_invalid"


def test_unknown_table_refused(batch):
    content = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    content["files"][1]["table"] = "GRXXX"
    (batch / "manifest.json").write_text(json.dumps(content), encoding="utf-8")
    error = refused(batch)
    assert (error.code, error.message) == ("table_unknown", "manifest.json 中的表 GRXXX 不是本格式的表")


def test_unknown_column_refused(tmp_path):
    folder = raw_batch(tmp_path, {"GRMX": f"{LEDGER_HEADER},BEIZHU\n{ledger_line('GJ1')},x\n".encode()})
    error = refused(folder)
    assert (error.code, error.message) == ("header_unknown_column", "GRMX.csv 第1行: 未知的列 BEIZHU")


def test_missing_required_column_refused(tmp_path):
    header = ",".join(c for c in schema.LEDGER.column_names if c != "FSE")
    folder = raw_batch(tmp_path, {"GRMX": f"{header}\n".encode()})
    error = refused(folder)
    assert (error.code, error.message) == ("header_missing_column", "GRMX.csv 第1行: 缺少必填列 FSE")


def test_duplicate_column_refused(tmp_path):
    folder = raw_batch(tmp_path, {"GRMX": f"{LEDGER_HEADER},ZY\n".encode()})
    error = refused(folder)
    assert (error.code, error.message) == ("header_duplicate_column", "GRMX.csv 第1行: 列 ZY 重复")


def test_missing_header_refused(tmp_path):
    folder = raw_batch(tmp_path, {"GRMX": b"\n"})
    assert refused(folder).code == "header_missing"


def test_optional_columns_may_be_left_out_and_reordered(tmp_path):
    header = "YWLSH,FSE,GJHTQYWLX,JZRQ,GRZH"
    folder = raw_batch(tmp_path, {"GRMX": f"\ufeff{header}\r\nGJ1, 12.30 ,01,2026-01-05,370400900001\r\n".encode()})
    (row,) = read_all(folder, "GRMX")
    assert row.values == {c: None for c in schema.LEDGER.column_names} | {
        "YWLSH": "GJ1",
        "FSE": Decimal("12.30"),
        "GJHTQYWLX": "01",
        "JZRQ": date(2026, 1, 5),
        "GRZH": "370400900001",
    }


# -------------------------------------------------------------- rows_read


def test_each_bad_line_is_rejected_and_the_rest_read(tmp_path):
    lines = [
        ledger_line("GJ1").encode(),  # 2
        ledger_line("GJ2").replace(",100.00,", ',"100.00,').encode(),  # 3: the quote is never closed
        ledger_line("GJ3", zy="摘\x00要").encode(),  # 4
        ledger_line("GJ4", zy="x" * (40 * 1024 * 1024)).encode(),  # 5: a 40 MB field
        ledger_line("GJ5", fse="100.005").encode(),  # 6
        ledger_line("GJ6", jzrq="20260230").encode(),  # 7
        ledger_line("GJ7", jzrq="2026-02-30").encode(),  # 8
        ledger_line("GJ8", kind="77").encode(),  # 9
        ledger_line("GJ9").encode() + b",extra",  # 10
        ledger_line("GJ10", zy="x").encode().replace(b",x", b",\xff\xfe"),  # 11: not UTF-8
        b"",  # 12: blank, skipped
        ledger_line("GJ11", zy='"引号, 逗号"""').encode(),  # 13
        ledger_line("GJ12", fse="abc").encode(),  # 14
        ledger_line("GJ13", fse="12345678901234567.00").encode(),  # 15
    ]
    data = (LEDGER_HEADER + "\n").encode() + b"\n".join(lines)  # the last line without a line break
    folder = raw_batch(tmp_path, {"GRMX": data})
    assert batch_open(folder).files["GRMX"].rows == 13
    read = read_all(folder, "GRMX")
    assert len(read) == 13
    assert [(r.line_no, r.values["YWLSH"]) for r in read if isinstance(r, Row)] == [(2, "GJ1"), (13, "GJ11")]
    assert next(r for r in read if r.line_no == 13).values["ZY"] == '引号, 逗号"'
    assert rejects(read) == [
        (3, "GJ2", reader.REJECT_CSV),
        (4, "GJ3", "该行含有 NUL 字符"),
        (5, "", "该行超过 65536 字节（字段过长）"),
        (6, "GJ5", "FSE 金额最多两位小数: 100.005"),
        (7, "GJ6", "JZRQ 日期不正确: 20260230"),
        (8, "GJ7", "JZRQ 日期不正确: 2026-02-30"),
        (9, "GJ8", "GJHTQYWLX 代码不在代码表 GJHTQYWLX 中: 77"),
        (10, "GJ9", "列数应为 13, 实为 14"),
        (11, "", "编码错误: 该行不是有效的 UTF-8 文本"),
        (14, "GJ12", "FSE 金额格式不正确: abc"),
        (15, "GJ13", "FSE 数值超出范围: 12345678901234567.00"),
    ]


def test_bad_bytes_in_a_gb18030_file(tmp_path):
    lines = [ledger_line("GJ1", zy="汇缴"), ledger_line("GJ2", zy="坏"), ledger_line("GJ3", zy="补缴")]
    data = "\r\n".join([LEDGER_HEADER, *lines, ""]).encode("gb18030").replace("坏".encode("gb18030"), b"\x81\x20")
    folder = raw_batch(tmp_path, {"GRMX": data}, encoding="GB18030")
    read = read_all(folder, "GRMX")
    assert rejects(read) == [(3, "", "编码错误: 该行不是有效的 GB18030 文本")]
    assert [r.values["ZY"] for r in read if isinstance(r, Row)] == ["汇缴", "补缴"]


def test_a_line_longer_than_a_chunk_and_blank_lines(tmp_path, monkeypatch):
    """Lines and blank lines across chunk boundaries: the counts and line
    numbers are those of the file however it is chunked."""
    monkeypatch.setattr(reader, "READ_CHUNK", 5)
    monkeypatch.setattr(reader, "LINE_LIMIT", 300)
    lines = [LEDGER_HEADER, ledger_line("GJ1"), "", "\r", ledger_line("GJ2", zy="y" * 400), "", ledger_line("GJ3")]
    data = "\n".join(lines).encode() + b"\r\n\n"
    folder = raw_batch(tmp_path, {"GRMX": data})
    assert batch_open(folder).files["GRMX"].rows == 3
    read = read_all(folder, "GRMX")
    assert [(r.line_no, type(r).__name__) for r in read] == [(2, "Row"), (5, "RowReject"), (7, "Row")]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
def test_file_scan_counts_as_the_reader_reads(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(reader, "READ_CHUNK", chunk)
    path = tmp_path / "x.csv"
    for data in [b"", b"H", b"H\n", b"H\na", b"H\na\n", b"H\n\n\na\r\n\r\n\rb\n\n", b"H\r\na\r\n\r", b"H\n\n"]:
        path.write_bytes(data)
        expected = sum(1 for line in data.split(b"\n")[1:] if line not in (b"", b"\r"))
        assert reader.file_scan(path) == (expected, hashlib.sha256(data).hexdigest()), data


def test_people_rules(tmp_path):
    good = {"GRZH": "370400900001", "XINGMING": "赵样例", "ZJLX": "01", "ZJHM": id_number(), "SJHM": "13900000001"}
    bad_check = id_number()[:17] + ("0" if id_number()[17] != "0" else "1")
    rows = [
        good,
        good | {"GRZH": "370400900002", "ZJHM": bad_check},
        good | {"GRZH": "370400900003", "ZJLX": "03"},
        good | {"GRZH": "370400900004", "SJHM": "12345678901"},
    ]
    read = read_all(write_one(tmp_path, "GRXX", rows), "GRXX")
    assert read[0].values["ZJHM"] == id_number()
    found = rejects(read)
    assert found == [
        (3, "370400900002", "ZJHM 身份证号校验位不正确"),
        (4, "370400900003", reader.REJECT_ZJLX),
        (5, "370400900004", "SJHM 不是有效的大陆手机号码"),
    ]
    for _line, _key, reason in found:  # never the number itself
        assert bad_check not in reason and id_number() not in reason and "12345678901" not in reason
        assert not re.search(r"\d{11,}", reason)


def account_row(**changes) -> dict:
    row = {
        "GRZH": "370400900001",
        "DWZH": "DW0001",
        "GRZHZT": "01",
        "KHRQ": date(2025, 9, 1),
        "GRJCJS": Decimal("6123.45"),
        "DWJCBL": Decimal("0.12"),
        "GRJCBL": Decimal("0.05"),
        "GRYJCE": Decimal("306.17"),  # 6123.45 × 0.05 = 306.1725
        "DWYJCE": Decimal("734.81"),  # 6123.45 × 0.12 = 734.814
        "GRZHYE": Decimal("1000.00"),
        "GRZHSNJZYE": Decimal("400.00"),
        "GRZHDNGJYE": Decimal("600.00"),
    }
    return row | changes


def test_account_rules(tmp_path):
    rows = [
        account_row(),
        account_row(GRZH="2", DWJCBL=Decimal("0.13")),
        account_row(GRZH="3", GRYJCE=Decimal("306.18")),
        account_row(GRZH="4", GRZHYE=Decimal("-1.00"), GRZHSNJZYE=None),
        account_row(GRZH="5", GRZHDNGJYE=Decimal("600.01")),
        account_row(GRZH="6", GRZHSNJZYE=None),
        account_row(GRZH="7", GRZHZT="07"),
    ]
    read = read_all(write_one(tmp_path, "GRZHXX", rows), "GRZHXX")
    assert rejects(read) == [
        (3, "2", "DWJCBL 缴存比例应在0.05至0.12之间: 0.13"),
        (4, "3", "GRYJCE 应为 GRJCJS×GRJCBL = 306.17, 实为 306.18"),
        (5, "4", "GRZHYE 个人账户余额不能为负: -1.00"),
        (6, "5", "GRZHSNJZYE + GRZHDNGJYE = 1000.01, 与 GRZHYE 1000.00 不符"),
        (8, "7", "GRZHZT 代码不在代码表 GRZHZT 中: 07"),
    ]


def test_ledger_rules(tmp_path):
    rows = [
        *ledger_rows(YWLSH="A1"),
        *ledger_rows(YWLSH="A2", FSE=Decimal("-100.00")),
        *ledger_rows(YWLSH="A3", FSE=Decimal("0.00")),
        *ledger_rows(YWLSH="A4", GJHTQYWLX="05", FSE=Decimal("1.00")),
        *ledger_rows(YWLSH="A5", GJHTQYWLX="05", FSE=Decimal("0.00")),
        *ledger_rows(YWLSH="A6", GJHTQYWLX="06", FSE=Decimal("-50.00")),
        *ledger_rows(YWLSH="A7", GJHTQYWLX="06", FSE=Decimal("0.00")),
        *ledger_rows(YWLSH="A8", GJHTQYWLX="11"),
        *ledger_rows(YWLSH="A9", GJHTQYWLX="11", TQYY="07"),
        *ledger_rows(YWLSH="A10", GJHTQYWLX="99"),
        *ledger_rows(YWLSH="A11", CZBZ="1"),
        *ledger_rows(YWLSH="A12", CZBZ="0"),
        *ledger_rows(YWLSH="A13", CZBZ="9"),
    ]
    read = read_all(write_one(tmp_path, "GRMX", rows), "GRMX")
    assert rejects(read) == [
        (3, "A2", "FSE 应大于0（方向由业务类型决定）: -100.00"),
        (4, "A3", "FSE 应大于0（方向由业务类型决定）: 0.00"),
        (5, "A4", "FSE 业务类型 05 不涉及资金, 发生额应为0: 1.00"),
        (8, "A7", "FSE 内部转移的发生额不能为0"),
        (9, "A8", "TQYY 提取业务必须有提取原因"),
        (11, "A10", "GJHTQYWLX 业务类型 99 无法确定记账方向, 网厅不导入"),
        (14, "A13", "CZBZ 冲账标识不正确: 9"),
    ]
    assert next(r for r in read if r.line_no == 7).values["FSE"] == Decimal("-50.00")


def test_czbz_flags_are_a_parameter_and_a_setting(tmp_path, settings):
    rows = [*ledger_rows(YWLSH="A1", CZBZ="N"), *ledger_rows(YWLSH="A2", CZBZ="C"), *ledger_rows(YWLSH="A3")]
    folder = write_one(tmp_path, "GRMX", rows)
    flags = CzbzFlags(normal=frozenset({"N"}), reversal=frozenset({"C"}))
    assert rejects(read_all(folder, "GRMX", flags=flags)) == []
    assert flags.is_reversal("C") and not flags.is_reversal("N") and not flags.is_reversal(None)
    assert len(rejects(read_all(folder, "GRMX"))) == 2  # the defaults: "", "0" and "1"
    settings.INQUIRY_INTERCHANGE_CZBZ_NORMAL = ["N"]
    settings.INQUIRY_INTERCHANGE_CZBZ_REVERSAL = ["C"]
    assert reader.czbz_flags() == flags
    assert rejects(read_all(folder, "GRMX")) == []


def test_loan_rules(tmp_path):
    contract = {
        "JKHTBH": "ZZ1",
        "JKRGJJZH": "370400900001",
        "JKRZJLX": "01",
        "JKRZJH": id_number(),
        "HTDKJE": Decimal("300000.00"),
        "DKQS": 240,
        "DKHKFS": "01",
        "JKHTLL": Decimal("0.0260000"),
        "JKHTQDRQ": date(2025, 8, 28),
    }
    account = {
        "DKZH": "DK1",
        "JKHTBH": "ZZ1",
        "DKFFE": Decimal("300000.00"),
        "DKFFRQ": date(2025, 9, 20),
        "DKYE": Decimal("299000.00"),
        "DKLL": Decimal("0.026"),
        "DKQS": 240,
        "DKZT": "01",
    }
    posting = {
        "DKZH": "DK1",
        "YWLSH": "P1",
        "DKYWMXLX": "02",
        "YWFSRQ": date(2025, 10, 20),
        "FSE": Decimal("1600.00"),
        "BJJE": Decimal("950.00"),
        "LXJE": Decimal("650.00"),
    }
    folder = tmp_path / "batch"
    tables = {
        "DKHT": [
            contract,
            contract | {"JKHTBH": "ZZ2", "DKHKFS": "03"},
            contract | {"JKHTBH": "ZZ3", "DKQS": 361},
            contract | {"JKHTBH": "ZZ4", "JKHTLL": Decimal("0.2")},
            contract | {"JKHTBH": "ZZ5", "JKRZJH": id_number()[:17] + "Y"},
        ],
        "DKZHXX": [account, account | {"DKZH": "DK2", "DKYE": Decimal("300000.01")}],
        "DKMX": [
            posting,
            posting | {"YWLSH": "P2", "FXJE": Decimal("1.00")},
            posting | {"YWLSH": "P3", "FXJE": Decimal("1.00"), "FSE": Decimal("1601.00")},
        ],
        "DKJD": [{"JKHTBH": "ZZ1", "JDXH": 0, "JDMC": "申请受理", "JDZT": "01"}],
        "JDFK": [{"YWLSH": "WT1", "CLJG": "02"}, {"YWLSH": "WT2", "CLJG": "01"}],
    }
    batch_write(folder, batch_no=1, kind="delta", as_of=AS_OF, tables=tables)
    assert rejects(read_all(folder, "DKHT")) == [
        (3, "ZZ2", "DKHKFS 网厅暂不支持该还款方式: 03"),
        (4, "ZZ3", "DKQS 贷款期数应在1至360之间: 361"),
        (5, "ZZ4", "JKHTLL 利率应大于0且小于0.2: 0.2"),
        (6, "ZZ5", "JKRZJH 身份证号格式不正确"),
    ]
    assert rejects(read_all(folder, "DKZHXX")) == [(3, "DK2", "DKYE 贷款余额 300000.01 大于贷款发放额 DKFFE 300000.00")]
    assert rejects(read_all(folder, "DKMX")) == [(3, "P2", "BJJE + LXJE + FXJE = 1601.00, 与发生额 FSE 1600.00 不符")]
    assert rejects(read_all(folder, "DKJD")) == [(2, "ZZ1/0", "JDXH 节点序号应从1开始: 0")]
    assert rejects(read_all(folder, "JDFK")) == [(2, "WT1", "JJYY 拒绝入账必须有拒绝原因")]


def test_fast_path_accepts_only_what_the_column_parsers_accept():
    """The generated row function may hand a row to the slow path, never
    accept a value the column parsers would refuse or read differently."""
    parsers = reader._parsers("GRMX")
    fast = reader._fast_row("GRMX", schema.LEDGER.column_names)
    base = ledger_line("GJ1").split(",")
    samples = {
        "FSE": ["1", "1.5", "1.50", "1.500", "-1.00", "+1.00", "1e2", "１.00", "1.", ".5", "", " 2.00", "NaN", "1_0"],
        "JZRQ": ["20260105", "2026-01-05", "20260230", "", " 20260105", "２0260105", "19000101", "18991231"],
        "GJHTQYWLX": ["01", "1", "", " 01", "77"],
        "TQYY": ["", "07", "7", " "],
        "HJNY": ["202601", "202613", "", "2026-01"],
        "YWLSH": ["", " ", "x" * 32, "x" * 33],
        "DNGJFSE": ["", "0", "0.00", "-0.00"],
    }
    for name, values in samples.items():
        index = schema.LEDGER.column_names.index(name)
        for value in values:
            cells = list(base)
            cells[index] = value
            try:
                slow = {n: parsers[n](c) for n, c in zip(schema.LEDGER.column_names, cells, strict=True)}
            except reader._Bad:
                slow = None
            got = fast(cells)
            assert got is None or got == slow, (name, value)
            if got is not None:
                assert type(got[name]) is type(slow[name])


# ------------------------------------------------------------ the sample batch


@pytest.mark.parametrize("folder", list(FOLDERS))
def test_the_sample_batch_reads_with_exactly_its_rejects(folder):
    path = SAMPLE_DIR / folder
    manifest = batch_open(path)
    assert (manifest.batch_no, manifest.kind, manifest.encoding) == (1, "full", FOLDERS[folder])
    found, rows = [], {}
    for table in manifest.files:
        for item in rows_read(path, manifest, table):
            if isinstance(item, RowReject):
                found.append((table, item.line_no, item.key, item.reason))
            else:
                rows.setdefault(table, []).append(item.values)
    assert found == sample_rejects()
    assert len(rows["GRXX"]) == 4
    assert {r["GRZHZT"] for r in rows["GRZHXX"]} == {"01", "02"}
    reversal = [r for r in rows["GRMX"] if r["YWLSH"] == SAMPLE_REVERSED_SERIAL]
    assert [r["CZBZ"] for r in reversal] == [None, "1"]
    assert any(r["GJHTQYWLX"] == "11" for r in rows["GRMX"])
    # Each account's balance is its ledger, the reversed row and its reversal left out.
    for account in rows["GRZHXX"]:
        ledger = [r for r in rows["GRMX"] if r["GRZH"] == account["GRZH"] and r["YWLSH"] != SAMPLE_REVERSED_SERIAL]
        total = sum((r["FSE"] * (-1 if r["GJHTQYWLX"] == "11" else 1) for r in ledger), Decimal("0.00"))
        assert account["GRZHYE"] == total
    (loan,) = rows["DKZHXX"]
    assert loan["DKYE"] == loan["DKFFE"] - sum(r["BJJE"] for r in rows["DKMX"])


@pytest.mark.parametrize("folder", list(FOLDERS))
def test_the_committed_sample_is_what_the_builder_writes(tmp_path, folder):
    sample_write(tmp_path, encoding=FOLDERS[folder])
    committed = sorted(p.name for p in (SAMPLE_DIR / folder).iterdir())
    assert committed == sorted(p.name for p in tmp_path.iterdir())
    for name in committed:
        assert (SAMPLE_DIR / folder / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_the_sample_folders_hold_the_same_content():
    utf8, gb = SAMPLE_DIR / "utf8", SAMPLE_DIR / "gb18030"
    for path in utf8.glob("*.csv"):
        assert path.read_bytes().decode("utf-8") == (gb / path.name).read_bytes().decode("gb18030")


# ------------------------------------------------------------ the document


def test_the_document_lists_every_column_of_every_table():
    text = DOC.read_text(encoding="utf-8")
    sections = re.split(r"\n(?=### )", text)
    for table in (*schema.TABLES, *schema.EXPORT_TABLES):
        section = next((s for s in sections if s.startswith(f"### {table.name} ")), None)
        assert section is not None, f"docs/interchange.md has no section ### {table.name}"
        for column in table.columns:
            assert re.search(rf"^\| {column.name} \| {re.escape(column.label)} \|", section, re.M), (
                f"{table.name}.{column.name} is missing from docs/interchange.md"
            )


def test_the_documents_generated_tables_are_current():
    text = DOC.read_text(encoding="utf-8")
    for name in document.GENERATED:
        assert document.block_in(text, name) == document.block(name), (
            "docs/interchange.md is out of date: run inquiry.interchange.document.main()"
        )


def test_the_document_lists_every_code_list():
    from inquiry.interchange import mapping

    text = DOC.read_text(encoding="utf-8")
    for name, codes in mapping.CODE_LISTS.items():
        assert f"#### {name}" in text, name
        section = text.split(f"#### {name}", 1)[1].split("\n#### ", 1)[0]
        for code, label in codes.items():
            assert f"| {code} | {label} |" in section, (name, code)


def test_the_reject_report_goes_beside_the_batch(tmp_path):
    assert reader.reject_report_path(tmp_path / "batch-0005") == tmp_path / "batch-0005.rejects.csv"


def test_timestamp_rule_of_the_export_table(tmp_path):
    row = {"YWLSH": "WT1", "YWLX": "02", "GRZH": "1", "FSE": Decimal("1.00"), "SPSJ": "2026-03-01T09:30:00"}
    folder = tmp_path / "out"
    batch_write(folder, batch_no=1, kind="delta", as_of=AS_OF, tables={"WTJD": [row]})
    manifest = batch_open(folder, tables=schema.EXPORT_TABLES)
    assert rejects(rows_read(folder, manifest, "WTJD")) == [
        (2, "WT1", "贷款决定必须有 DKQS、JKHTLL、DKHKFS；SPSJ 审批时间应为 YYYY-MM-DD HH:MM:SS: 2026-03-01T09:30:00")
    ]
