"""Reads and validates an interchange batch (docs/interchange.md): pure
Python, no database.

batch_open checks the whole batch before anything is applied: the manifest,
that every file is there and no other, each file's SHA-256, row count and
header. It refuses the batch (BatchRefused) with a message that names the
file and what is wrong. rows_read then streams one table's rows, typed, each
either a Row or a RowReject with the line number and a Chinese reason: a bad
row never stops the batch, the importer counts the rejects against its
threshold.

One record is one line. The writer never puts a line break into a field, and
the reader reads line by line rather than letting the csv module join lines
inside quotes, so an unbalanced quote costs one rejected line instead of
swallowing the rest of the file. Blank lines are skipped and not counted.

Speed: a table's column parsers are built once (closures over the column's
rules, dates and months parsed through a small cache), a line without a quote
is split with str.split, and a block of lines is decoded at once; a block
that does not decode is decoded line by line to find the bad ones.
"""

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from inquiry.interchange import mapping, schema
from zzgjj_portal.identity import CENTER_TZ, id_number_error, is_phone, normalize_id_number
from zzgjj_portal.money import to_cents
from zzgjj_portal.refusal import Refusal

MANIFEST_NAME = "manifest.json"
MANIFEST_MAX_BYTES = 1 << 20
FILE_NEWLINE = "\r\n"  # what the writer ends lines with (RFC 4180); the reader takes \n too
KINDS = ("full", "delta")
# The manifest's encoding names -> the canonical name. GBK and GB2312 are
# subsets of GB18030, so a file a core wrote as GBK reads correctly as GB18030.
ENCODINGS = {
    "UTF-8": "UTF-8",
    "UTF8": "UTF-8",
    "GB18030": "GB18030",
    "GBK": "GB18030",
    "GB2312": "GB18030",
    "CP936": "GB18030",
}
CODECS = {"UTF-8": "utf-8", "GB18030": "gb18030"}
# Digits before the decimal point: decimal(18,2) for money; ratios are fractions.
MAX_INTEGER_DIGITS = {schema.MONEY: 16, schema.RATIO: 3, schema.INT: 9}
# The longest line read; a longer one (a 40 MB field) is rejected without
# being held in memory. The longest real row is about 2 KB.
LINE_LIMIT = 64 * 1024
READ_CHUNK = 1 << 20
KEY_PART_MAX = 40  # characters of each key value quoted in a reject
VALUE_MAX = 20  # characters of a bad value quoted in a reason
CACHE_MAX = 100_000  # distinct dates / months remembered per column
YEAR_MIN, YEAR_MAX = 1900, 2099
RATE_MIN, RATE_MAX = Decimal("0.05"), Decimal("0.12")
LOAN_RATE_MAX = Decimal("0.2")
TERM_MAX = 360

# --- messages: the batch refused ---
REFUSED_NOT_FOLDER = "批次目录不存在: {folder}"
REFUSED_NO_MANIFEST = "批次目录中没有 manifest.json"
REFUSED_MANIFEST_TOO_LARGE = "manifest.json 过大"
REFUSED_MANIFEST_JSON = "manifest.json 不是有效的 JSON: {error}"
REFUSED_MANIFEST_OBJECT = "manifest.json 应为一个 JSON 对象"
REFUSED_BATCH_NO = "manifest.json 中 batch_no 应为正整数: {value}"
REFUSED_KIND = "manifest.json 中 kind 应为 full 或 delta: {value}"
REFUSED_AS_OF = "manifest.json 中 as_of 应为 ISO 8601 日期时间（如 2026-03-01T02:00:00+08:00）: {value}"
REFUSED_ENCODING = "manifest.json 中 encoding 应为 UTF-8 或 GB18030（GBK 按 GB18030 读取）: {value}"
REFUSED_FILES = "manifest.json 中 files 应为列表"
REFUSED_FILE_ENTRY = "manifest.json 中 files 第{index}项应有 table、file、rows、sha256"
REFUSED_TABLE_UNKNOWN = "manifest.json 中的表 {table} 不是本格式的表"
REFUSED_TABLE_TWICE = "manifest.json 中表 {table} 出现了两次"
REFUSED_FILE_NAME = "manifest.json 中表 {table} 的文件名应为批次目录中的 .csv 文件: {file}"
REFUSED_FILE_TWICE = "manifest.json 中文件 {file} 出现了两次"
REFUSED_ROWS = "manifest.json 中 {file} 的 rows 应为非负整数: {value}"
REFUSED_SHA256 = "manifest.json 中 {file} 的 sha256 应为64位十六进制: {value}"
REFUSED_FILE_MISSING = "manifest.json 列出的文件不存在: {file}"
REFUSED_FILE_EXTRA = "批次目录中有 manifest.json 未列出的文件: {file}"
REFUSED_CHECKSUM = "{file} 的 SHA-256 与 manifest.json 不符（文件不完整或已被改动）"
REFUSED_ROW_COUNT = "{file} 有 {actual} 行数据, manifest.json 为 {expected} 行"
REFUSED_HEADER_MISSING = "{file} 第1行: 没有表头"
REFUSED_HEADER_ENCODING = "{file} 第1行: 表头不是有效的 {encoding} 文本"
REFUSED_HEADER_CSV = "{file} 第1行: 表头格式错误"
REFUSED_HEADER_UNKNOWN = "{file} 第1行: 未知的列 {columns}"
REFUSED_HEADER_DUPLICATE = "{file} 第1行: 列 {columns} 重复"
REFUSED_HEADER_REQUIRED = "{file} 第1行: 缺少必填列 {columns}"

# --- messages: a row rejected ---
REJECT_ENCODING = "编码错误: 该行不是有效的 {encoding} 文本"
REJECT_TOO_LONG = "该行超过 {limit} 字节（字段过长）"
REJECT_NUL = "该行含有 NUL 字符"
REJECT_CSV = "CSV 格式错误（引号不配对或引号后缺逗号）"
REJECT_WIDTH = "列数应为 {expected}, 实为 {actual}"
REJECT_REQUIRED = "{column} 不能为空"
REJECT_TOO_LONG_VALUE = "{column} 超过{length}个字符"
REJECT_CODE = "{column} 代码不在代码表 {codes} 中: {value}"
REJECT_MONEY = "{column} 金额格式不正确: {value}"
REJECT_MONEY_SCALE = "{column} 金额最多两位小数: {value}"
REJECT_NUMBER_RANGE = "{column} 数值超出范围: {value}"
REJECT_RATIO = "{column} 比例格式不正确（小数, 至多{scale}位小数）: {value}"
REJECT_INT = "{column} 应为非负整数: {value}"
REJECT_DATE = "{column} 日期不正确: {value}"
REJECT_MONTH = "{column} 年月不正确（YYYYMM）: {value}"
REJECT_ID_NUMBER = "{column} {error}"
REJECT_PHONE = "{column} 不是有效的大陆手机号码"
REJECT_ZJLX = "ZJLX 证件类型应为01（居民身份证）: 网厅按身份证号识别缴存职工, 其他证件暂不导入"
REJECT_RATE = "{column} 缴存比例应在0.05至0.12之间: {value}"
REJECT_MONTHLY = "{column} 应为 GRJCJS×{rate_column} = {expected}, 实为 {actual}"
REJECT_NEGATIVE_BALANCE = "GRZHYE 个人账户余额不能为负: {value}"
REJECT_BALANCE_PARTS = "GRZHSNJZYE + GRZHDNGJYE = {total}, 与 GRZHYE {balance} 不符"
REJECT_LEDGER_TYPE = "GJHTQYWLX 业务类型 {value} 无法确定记账方向, 网厅不导入"
REJECT_FSE_POSITIVE = "FSE 应大于0（方向由业务类型决定）: {value}"
REJECT_FSE_NONZERO = "FSE 内部转移的发生额不能为0"
REJECT_FSE_ZERO = "FSE 业务类型 {kind} 不涉及资金, 发生额应为0: {value}"
REJECT_TQYY = "TQYY 提取业务必须有提取原因"
REJECT_CZBZ = "CZBZ 冲账标识不正确: {value}"
REJECT_REPAYMENT_METHOD = "DKHKFS 网厅暂不支持该还款方式: {value}"
REJECT_TERM = "{column} 贷款期数应在1至360之间: {value}"
REJECT_LOAN_RATE = "{column} 利率应大于0且小于0.2: {value}"
REJECT_POSITIVE = "{column} 应大于0: {value}"
REJECT_NOT_NEGATIVE = "{column} 不能为负: {value}"
REJECT_LOAN_BALANCE = "DKYE 贷款余额 {balance} 大于贷款发放额 DKFFE {amount}"
REJECT_REMAINING = "SYQS 剩余期数 {remaining} 大于贷款期数 DKQS {term}"
REJECT_POSTING_SUM = "BJJE + LXJE + FXJE = {total}, 与发生额 FSE {amount} 不符"
REJECT_STEP = "JDXH 节点序号应从1开始: {value}"
REJECT_REFUSAL_REASON = "JJYY 拒绝入账必须有拒绝原因"
REJECT_WITHDRAWAL_REASON = "TQYY 提取决定必须有提取原因"
REJECT_LOAN_TERMS = "贷款决定必须有 DKQS、JKHTLL、DKHKFS"
REJECT_TIMESTAMP = "SPSJ 审批时间应为 YYYY-MM-DD HH:MM:SS: {value}"


class BatchRefused(Refusal):
    """The whole batch is refused before anything is written: `message`
    (Chinese) names the file, the line and what is wrong."""


@dataclass(frozen=True)
class FileEntry:
    table: str
    file: str  # the file's name inside the batch folder
    rows: int  # data lines, header and blank lines not counted
    sha256: str  # of the file's bytes, lower-case hex


@dataclass(frozen=True)
class Manifest:
    batch_no: int
    kind: str  # "full" or "delta"
    as_of: datetime  # aware; a naive time in the file is Asia/Shanghai
    encoding: str  # "UTF-8" or "GB18030"
    files: dict[str, FileEntry]  # by table name, in the manifest's order


@dataclass(frozen=True, slots=True)
class Row:
    line_no: int  # physical line in the file, the header is line 1
    values: dict[str, object]  # every column of the table, typed; an empty or absent cell is None


@dataclass(frozen=True, slots=True)
class RowReject:
    line_no: int
    key: str  # the row's natural key values joined with "/" ("" when the line cannot be read)
    reason: str  # Chinese: the column and what is wrong; never an ID number or phone


@dataclass(frozen=True)
class CzbzFlags:
    """The values of GRMX.CZBZ (冲账标识) a center's core writes for a normal
    row and for a reversal. An empty cell is always a normal row."""

    normal: frozenset[str] = field(default_factory=lambda: frozenset({"", "0"}))
    reversal: frozenset[str] = field(default_factory=lambda: frozenset({"1"}))

    def is_reversal(self, value: str | None) -> bool:
        return bool(value) and value in self.reversal


def czbz_flags() -> CzbzFlags:
    """The flags from the settings INQUIRY_INTERCHANGE_CZBZ_NORMAL / _REVERSAL,
    or the defaults when Django is not configured (the module stays usable
    without it)."""
    try:
        from django.conf import settings

        normal = getattr(settings, "INQUIRY_INTERCHANGE_CZBZ_NORMAL", None)
        reversal = getattr(settings, "INQUIRY_INTERCHANGE_CZBZ_REVERSAL", None)
    except Exception:  # ImproperlyConfigured: no settings, use the defaults
        return CzbzFlags()
    default = CzbzFlags()
    return CzbzFlags(
        normal=frozenset(normal) if normal is not None else default.normal,
        reversal=frozenset(reversal) if reversal is not None else default.reversal,
    )


def encoding_canonical(name: str) -> str | None:
    """ "UTF-8" or "GB18030" for a manifest's encoding name, None if unknown."""
    if not isinstance(name, str):
        return None
    return ENCODINGS.get(name.strip().upper().replace("_", "-"))


def reject_report_path(folder: Path) -> Path:
    """Where the importer writes a batch's reject report: beside the folder,
    never inside it (a CSV inside would be a file the manifest does not list)."""
    folder = Path(folder)
    return folder.parent / f"{folder.name}.rejects.csv"


def _tables(tables) -> dict[str, schema.Table]:
    return {t.name: t for t in (schema.TABLES if tables is None else tables)}


def table_lookup(name: str) -> schema.Table:
    """The schema table (import or export) of that name."""
    for table in (*schema.TABLES, *schema.EXPORT_TABLES):
        if table.name == name:
            return table
    raise KeyError(name)


# ---------------------------------------------------------------- batch_open


def _refuse(template: str, code: str, **kwargs) -> BatchRefused:
    return BatchRefused(template.format(**kwargs), code=code)


def _short(value, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _manifest_read(folder: Path) -> dict:
    path = folder / MANIFEST_NAME
    if not folder.is_dir():
        raise _refuse(REFUSED_NOT_FOLDER, "batch_folder", folder=folder.name)
    if not path.is_file():
        raise _refuse(REFUSED_NO_MANIFEST, "manifest_missing")
    with open(path, "rb") as file:
        raw = file.read(MANIFEST_MAX_BYTES + 1)
    if len(raw) > MANIFEST_MAX_BYTES:
        raise _refuse(REFUSED_MANIFEST_TOO_LARGE, "manifest_invalid")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _refuse(REFUSED_MANIFEST_JSON, "manifest_invalid", error="不是 UTF-8 文本") from None
    except ValueError as error:
        raise _refuse(REFUSED_MANIFEST_JSON, "manifest_invalid", error=_short(error, 80)) from None
    if not isinstance(data, dict):
        raise _refuse(REFUSED_MANIFEST_OBJECT, "manifest_invalid")
    return data


def _as_of(value) -> datetime:
    if not isinstance(value, str):
        raise _refuse(REFUSED_AS_OF, "manifest_invalid", value=_short(value))
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _refuse(REFUSED_AS_OF, "manifest_invalid", value=_short(value)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CENTER_TZ)
    return moment


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _entries(data: dict, known: dict[str, schema.Table]) -> dict[str, FileEntry]:
    files = data.get("files")
    if not isinstance(files, list):
        raise _refuse(REFUSED_FILES, "manifest_invalid")
    entries: dict[str, FileEntry] = {}
    names: set[str] = set()
    for index, item in enumerate(files, start=1):
        if not isinstance(item, dict) or not all(k in item for k in ("table", "file", "rows", "sha256")):
            raise _refuse(REFUSED_FILE_ENTRY, "manifest_invalid", index=index)
        table, name, rows, sha256 = item["table"], item["file"], item["rows"], item["sha256"]
        if not isinstance(table, str) or table not in known:
            raise _refuse(REFUSED_TABLE_UNKNOWN, "table_unknown", table=_short(table))
        if table in entries:
            raise _refuse(REFUSED_TABLE_TWICE, "manifest_invalid", table=table)
        if (
            not isinstance(name, str)
            or not name.lower().endswith(".csv")
            or Path(name).name != name
            or name.startswith(".")
            or "\\" in name
        ):
            raise _refuse(REFUSED_FILE_NAME, "manifest_invalid", table=table, file=_short(name))
        if name in names:
            raise _refuse(REFUSED_FILE_TWICE, "manifest_invalid", file=name)
        if not _is_count(rows) or rows < 0:
            raise _refuse(REFUSED_ROWS, "manifest_invalid", file=name, value=_short(rows))
        if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
            raise _refuse(REFUSED_SHA256, "manifest_invalid", file=name, value=_short(sha256))
        names.add(name)
        entries[table] = FileEntry(table=table, file=name, rows=rows, sha256=sha256.lower())
    return entries


def _header(path: Path, file: str, encoding: str, table: schema.Table) -> list[str]:
    """The file's column names, refused if the header is unreadable, has an
    unknown or duplicate column or lacks a required one. Optional columns may
    be left out; the order is free."""
    with open(path, "rb") as stream:
        raw = stream.readline(LINE_LIMIT + 1)
    if len(raw) > LINE_LIMIT:
        raise _refuse(REFUSED_HEADER_CSV, "header_invalid", file=file)
    try:
        text = raw.decode(CODECS[encoding])
    except UnicodeDecodeError:
        raise _refuse(REFUSED_HEADER_ENCODING, "header_invalid", file=file, encoding=encoding) from None
    text = text.lstrip("\ufeff").rstrip("\r\n")
    if not text.strip():
        raise _refuse(REFUSED_HEADER_MISSING, "header_missing", file=file)
    if "\x00" in text:
        raise _refuse(REFUSED_HEADER_CSV, "header_invalid", file=file)
    try:
        names = [name.strip().upper() for name in next(csv.reader([text], strict=True))]
    except csv.Error:
        raise _refuse(REFUSED_HEADER_CSV, "header_invalid", file=file) from None
    known = set(table.column_names)
    unknown = [name for name in names if name not in known]
    if unknown:
        columns = "、".join(_short(n, 30) for n in unknown[:5])
        raise _refuse(REFUSED_HEADER_UNKNOWN, "header_unknown_column", file=file, columns=columns)
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise _refuse(REFUSED_HEADER_DUPLICATE, "header_duplicate_column", file=file, columns="、".join(duplicates))
    missing = [c.name for c in table.columns if c.required and c.name not in names]
    if missing:
        raise _refuse(REFUSED_HEADER_REQUIRED, "header_missing_column", file=file, columns="、".join(missing))
    return names


def _blank(line: bytes | None) -> bool:
    return line is not None and (line == b"" or line == b"\r")


def _grow(partial: bytes | None, segment: bytes) -> bytes | None:
    """The start of the current line, kept only while it could still be blank
    (b"" or b"\\r"); None once it is known not to be."""
    if partial is None or len(partial) + len(segment) > 1:
        return None
    return partial + segment


def file_scan(path: Path) -> tuple[int, str]:
    """(data rows, SHA-256) of a file in one pass over its bytes: lines
    after the first, blank lines not counted, a last line without a line
    break counted. Reads chunks, never lines, so any file costs a chunk of
    memory and about the time of hashing it."""
    digest = hashlib.sha256()
    breaks = blanks = 0
    partial: bytes | None = b""
    with open(path, "rb") as file:
        while chunk := file.read(READ_CHUNK):
            digest.update(chunk)
            count = chunk.count(b"\n")
            if not count:
                partial = _grow(partial, chunk)
                continue
            breaks += count
            first = chunk.find(b"\n")
            if _blank(_grow(partial, chunk[:first])):
                blanks += 1
            last = chunk.rfind(b"\n")
            if count > 1:
                middle = chunk[first + 1 : last]
                if b"\n\n" in chunk or b"\n\r\n" in chunk:
                    blanks += sum(1 for line in middle.split(b"\n") if line == b"" or line == b"\r")
            partial = _grow(b"", chunk[last + 1 :])
    lines = breaks - blanks + (0 if partial == b"" or _blank(partial) else 1)
    return max(lines - 1, 0), digest.hexdigest()


def batch_open(folder: Path, *, tables: tuple[schema.Table, ...] | None = None) -> Manifest:
    """Check a batch folder and return its manifest, or raise BatchRefused.

    Reads only: the manifest (batch_no a positive integer, kind full or
    delta, as_of an ISO 8601 time, naive meaning Asia/Shanghai, encoding
    UTF-8 or GB18030, the files), every listed file present and no other CSV
    file in the folder, each file's SHA-256 and row count, each header. The
    batch number's place in the sequence needs the database: the importer
    checks it. `tables` are those a batch may hold (default schema.TABLES;
    schema.EXPORT_TABLES for the portal's own exports)."""
    folder = Path(folder)
    known = _tables(tables)
    data = _manifest_read(folder)
    batch_no = data.get("batch_no")
    if not _is_count(batch_no) or batch_no < 1:
        raise _refuse(REFUSED_BATCH_NO, "manifest_invalid", value=_short(batch_no))
    kind = data.get("kind")
    if kind not in KINDS:
        raise _refuse(REFUSED_KIND, "manifest_invalid", value=_short(kind))
    as_of = _as_of(data.get("as_of"))
    encoding = encoding_canonical(data.get("encoding"))
    if encoding is None:
        raise _refuse(REFUSED_ENCODING, "manifest_invalid", value=_short(data.get("encoding")))
    entries = _entries(data, known)
    listed = {entry.file for entry in entries.values()}
    for entry in entries.values():
        if not (folder / entry.file).is_file():
            raise _refuse(REFUSED_FILE_MISSING, "file_missing", file=entry.file)
    extra = sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.name not in listed)
    if extra:
        raise _refuse(REFUSED_FILE_EXTRA, "file_extra", file="、".join(extra[:5]))
    for entry in entries.values():
        path = folder / entry.file
        rows, sha256 = file_scan(path)
        if sha256 != entry.sha256:
            raise _refuse(REFUSED_CHECKSUM, "checksum", file=entry.file)
        if rows != entry.rows:
            raise _refuse(REFUSED_ROW_COUNT, "row_count", file=entry.file, actual=rows, expected=entry.rows)
        _header(path, entry.file, encoding, known[entry.table])
    return Manifest(batch_no=batch_no, kind=kind, as_of=as_of, encoding=encoding, files=entries)


# ----------------------------------------------------------------- the lines


def _lines(path: Path, codec: str, encoding: str) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text, None) for each non-blank line, or (line number,
    None, reason) for one that cannot be read (too long, not decodable).
    Blank lines are skipped (their numbers still count)."""
    line_no = 0
    carry = b""
    skipping = False  # inside a line already rejected as too long
    too_long = REJECT_TOO_LONG.format(limit=LINE_LIMIT)
    bad_encoding = REJECT_ENCODING.format(encoding=encoding)
    with open(path, "rb") as file:
        while chunk := file.read(READ_CHUNK):
            if skipping:
                end = chunk.find(b"\n")
                if end < 0:
                    continue
                chunk = chunk[end + 1 :]
                skipping = False
            last = chunk.rfind(b"\n")
            if last < 0:
                carry += chunk
                if len(carry) > LINE_LIMIT:
                    line_no += 1
                    yield line_no, None, too_long
                    carry, skipping = b"", True
                continue
            block = carry + chunk[:last] if carry else chunk[:last]
            carry = chunk[last + 1 :]
            try:
                texts: list = block.decode(codec).split("\n")
            except UnicodeDecodeError:
                texts = block.split(b"\n")  # decoded one by one below, to find the bad ones
            for text in texts:
                line_no += 1
                if type(text) is bytes:
                    try:
                        text = text.decode(codec)
                    except UnicodeDecodeError:
                        yield line_no, None, bad_encoding
                        continue
                if text.endswith("\r"):
                    text = text[:-1]
                if not text:
                    continue
                if len(text) > LINE_LIMIT:
                    yield line_no, None, too_long
                    continue
                yield line_no, text, None
            if len(carry) > LINE_LIMIT:
                line_no += 1
                yield line_no, None, too_long
                carry, skipping = b"", True
    if carry and not skipping:
        line_no += 1
        try:
            text = carry.decode(codec)
        except UnicodeDecodeError:
            yield line_no, None, bad_encoding
            return
        if text.endswith("\r"):
            text = text[:-1]
        if text:
            yield line_no, text, None


# ----------------------------------------------------------- column parsers


class _Bad(Exception):
    """A cell's value is wrong; args[0] is the reason."""


def _value(text: str) -> str:
    return text if len(text) <= VALUE_MAX else text[:VALUE_MAX] + "…"


def _text_parser(column: schema.Column) -> Callable[[str], object]:
    name, length, required = column.name, column.length or None, column.required
    empty = REJECT_REQUIRED.format(column=name)
    too_long = REJECT_TOO_LONG_VALUE.format(column=name, length=length)

    def parse_text(cell: str):
        if not cell:
            if required:
                raise _Bad(empty)
            return None
        text = cell.strip()
        if not text:
            if required:
                raise _Bad(empty)
            return None
        if length is not None and len(text) > length:
            raise _Bad(too_long)
        return text

    if name == "ZJHM":

        def parse_id_number(cell: str):
            text = parse_text(cell)
            if text is None:
                return None
            error = id_number_error(text)
            if error:
                raise _Bad(REJECT_ID_NUMBER.format(column=name, error=error))  # never the number itself
            return normalize_id_number(text)

        return parse_id_number
    if name == "SJHM":
        bad_phone = REJECT_PHONE.format(column=name)

        def parse_phone(cell: str):
            text = parse_text(cell)
            if text is not None and not is_phone(text):
                raise _Bad(bad_phone)
            return text

        return parse_phone
    return parse_text


def _code_parser(column: schema.Column) -> Callable[[str], object]:
    name, required = column.name, column.required
    codes = frozenset(mapping.CODE_LISTS[column.codes])
    empty = REJECT_REQUIRED.format(column=name)

    def parse_code(cell: str):
        if cell in codes:  # the common case: no spaces to strip
            return cell
        if not cell and not required:
            return None
        text = cell.strip()
        if not text:
            if required:
                raise _Bad(empty)
            return None
        if text not in codes:
            raise _Bad(REJECT_CODE.format(column=name, codes=column.codes, value=_value(text)))
        return text

    return parse_code


def _decimal_parser(column: schema.Column) -> Callable[[str], object]:
    name, required = column.name, column.required
    money = column.type == schema.MONEY
    scale = 2 if money else column.scale
    digits = MAX_INTEGER_DIGITS[column.type]
    sign = "-?" if money else ""
    # One compiled match per cell: cheaper than the string methods it replaces.
    match = re.compile(rf"{sign}[0-9]{{1,{digits}}}(?:\.[0-9]{{1,{scale}}})?").fullmatch
    empty = REJECT_REQUIRED.format(column=name)

    def reason(text: str) -> str:
        body = text[1:] if money and text.startswith("-") else text
        whole, dot, fraction = body.partition(".")
        plain = whole.isascii() and whole.isdigit() and (not dot or (fraction.isascii() and fraction.isdigit()))
        if not money:
            return REJECT_RATIO.format(column=name, scale=scale, value=_value(text))
        if plain and len(fraction) > scale:
            return REJECT_MONEY_SCALE.format(column=name, value=_value(text))
        if plain and len(whole) > digits:
            return REJECT_NUMBER_RANGE.format(column=name, value=_value(text))
        return REJECT_MONEY.format(column=name, value=_value(text))

    def parse_decimal(cell: str):
        # The common case, a plain non-negative amount, is checked with string
        # methods (cheaper than the regular expression); the rest goes the slow way.
        whole, dot, fraction = cell.partition(".")
        if (
            len(fraction) <= scale
            and len(whole) <= digits
            and whole.isdigit()
            and whole.isascii()
            and (not dot or (fraction.isdigit() and fraction.isascii()))
        ):
            return Decimal(cell)
        if not cell:
            if required:
                raise _Bad(empty)
            return None
        text = cell.strip()
        if not text:
            if required:
                raise _Bad(empty)
            return None
        if match(text) is None:
            raise _Bad(reason(text))
        return Decimal(text)

    return parse_decimal


def _int_parser(column: schema.Column) -> Callable[[str], object]:
    name, required = column.name, column.required
    digits = MAX_INTEGER_DIGITS[schema.INT]
    empty = REJECT_REQUIRED.format(column=name)

    def parse_int(cell: str):
        if cell.isdigit() and cell.isascii() and len(cell) <= digits:
            return int(cell)
        text = cell.strip()
        if not text:
            if required:
                raise _Bad(empty)
            return None
        if not (text.isascii() and text.isdigit() and len(text) <= digits):
            raise _Bad(REJECT_INT.format(column=name, value=_value(text)))
        return int(text)

    return parse_int


def _date_of(text: str) -> date | None:
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        text = text[:4] + text[5:7] + text[8:]
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        return None
    year = int(text[:4])
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None
    try:
        return date(year, int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _month_of(text: str) -> str | None:
    if len(text) != 6 or not (text.isascii() and text.isdigit()):
        return None
    if not YEAR_MIN <= int(text[:4]) <= YEAR_MAX or not 1 <= int(text[4:]) <= 12:
        return None
    return text


def _cached_parser(column: schema.Column, convert: Callable[[str], object], template: str):
    """Dates and months repeat across millions of rows: each distinct text is
    checked once."""
    name, required = column.name, column.required
    empty = REJECT_REQUIRED.format(column=name)
    known: dict[str, object] = {}

    def parse_cached(cell: str):
        value = known.get(cell)
        if value is not None:
            return value
        text = cell.strip()
        if not text:
            if required:
                raise _Bad(empty)
            return None
        value = convert(text)
        if value is None:
            raise _Bad(template.format(column=name, value=_value(text)))
        if len(known) < CACHE_MAX:
            known[cell] = value
        return value

    parse_cached.known = known  # the row function below looks dates up here directly
    return parse_cached


def column_parser(column: schema.Column) -> Callable[[str], object]:
    """The function that turns one cell into its typed value or raises _Bad."""
    if column.type == schema.CODE:
        return _code_parser(column)
    if column.type in (schema.MONEY, schema.RATIO):
        return _decimal_parser(column)
    if column.type == schema.INT:
        return _int_parser(column)
    if column.type == schema.DATE:
        return _cached_parser(column, _date_of, REJECT_DATE)
    if column.type == schema.MONTH:
        return _cached_parser(column, _month_of, REJECT_MONTH)
    return _text_parser(column)


@cache
def _parsers(table_name: str) -> dict[str, Callable[[str], object]]:
    table = table_lookup(table_name)
    return {column.name: column_parser(column) for column in table.columns}


def _fast_source(table: schema.Table, names: tuple[str, ...]) -> tuple[str, dict]:
    """The source of a function that parses a whole row's cells (in `names`
    order) for the common case, and its globals.

    It returns the values dict when every cell is plainly valid, None when a
    cell needs a closer look; the caller then parses cell by cell with the
    column parsers, which give the reasons. So the fast path only ever
    accepts a subset of what the column parsers accept, and the reasons are
    written once. Why generated: a row of GRMX is 13 cells, 20 million rows
    are 260 million cells, and in CPython a function call per cell costs more
    than all the checks inlined in one function."""
    parsers = _parsers(table.name)
    scope: dict[str, object] = {"Decimal": Decimal}
    lines = ["def fast_row(c):"]
    for i, name in enumerate(names):
        column = table.column(name)
        x, cell = f"x{i}", f"c[{i}]"
        kind, required = column.type, column.required
        if kind == schema.CHAR and name not in ("ZJHM", "SJHM"):
            lines.append(f"    {x} = {cell}.strip()")
            if column.length:
                lines.append(f"    if len({x}) > {column.length}: return None")
            if required:
                lines.append(f"    if not {x}: return None")
            else:
                lines.append(f"    {x} = {x} or None")
        elif kind == schema.CODE:
            scope[f"K{i}"] = frozenset(mapping.CODE_LISTS[column.codes])
            lines.append(f"    {x} = {cell}")
            lines.append(f"    if {x} not in K{i}:")
            lines.append("        return None" if required else f"        if {x}: return None\n        {x} = None")
        elif kind in (schema.MONEY, schema.RATIO):
            scale = 2 if kind == schema.MONEY else column.scale
            digits = MAX_INTEGER_DIGITS[kind]
            # Amounts repeat too (a member's deposit is the same month after
            # month): each distinct text is checked and converted once.
            known: dict[str, Decimal] = {}
            scope[f"M{i}"], scope[f"S{i}"] = known.get, known
            lines.append(f"    {x} = M{i}({cell})")
            lines.append(f"    if {x} is None:")
            lines.append(f"        {x} = {cell}")
            lines.append(f"        if {x}:")
            lines.append(f"            w, d, f = {x}.partition('.')")
            lines.append(
                f"            if not (len(f) <= {scale} and len(w) <= {digits} and w.isdigit() and w.isascii()"
                " and (not d or (f.isdigit() and f.isascii()))): return None"
            )
            lines.append(f"            {x} = Decimal({x})")
            lines.append(f"            if len(S{i}) < {CACHE_MAX}: S{i}[{cell}] = {x}")
            lines.append("        else:" if required else f"        else:\n            {x} = None")
            if required:
                lines.append("            return None")
        elif kind == schema.INT:
            lines.append(f"    {x} = {cell}")
            lines.append(f"    if {x}.isdigit() and {x}.isascii() and len({x}) <= {MAX_INTEGER_DIGITS[kind]}:")
            lines.append(f"        {x} = int({x})")
            lines.append("    else:" if required else f"    elif {x}:")
            lines.append("        return None")
            if not required:
                lines.append(f"    else:\n        {x} = None")
        elif kind in (schema.DATE, schema.MONTH):
            scope[f"G{i}"] = parsers[name].known.get
            lines.append(f"    {x} = G{i}({cell})")
            lines.append(f"    if {x} is None:")
            lines.append("        return None" if required else f"        if {cell}: return None")
        else:  # ZJHM, SJHM: their parser does it (it raises _Bad, the caller takes the slow path)
            scope[f"P{i}"] = parsers[name]
            lines.append(f"    {x} = P{i}({cell})")
    entries = [f"{name!r}: x{i}" for i, name in enumerate(names)]
    entries += [f"{c.name!r}: None" for c in table.columns if c.name not in names]
    lines.append(f"    return {{{', '.join(entries)}}}")
    return "\n".join(lines) + "\n", scope


@cache
def _fast_row(table_name: str, names: tuple[str, ...]) -> Callable[[list[str]], dict | None]:
    source, scope = _fast_source(table_lookup(table_name), names)
    exec(compile(source, f"<interchange {table_name}>", "exec"), scope)  # noqa: S102 (our own source, above)
    return scope["fast_row"]


# ------------------------------------------------------------ row rules
# Rules within one row (docs/interchange.md, 校验规则). Each returns the
# reasons it finds; references to other rows and the database are the
# importer's.


def _rates_rule(values: dict, flags: CzbzFlags) -> list[str]:
    reasons = []
    base = values["GRJCJS"]
    for rate_column, amount_column in (("GRJCBL", "GRYJCE"), ("DWJCBL", "DWYJCE")):
        rate = values[rate_column]
        if not RATE_MIN <= rate <= RATE_MAX:
            reasons.append(REJECT_RATE.format(column=rate_column, value=rate))
            continue
        expected = to_cents(base * rate)
        if values[amount_column] != expected:
            reasons.append(
                REJECT_MONTHLY.format(
                    column=amount_column, rate_column=rate_column, expected=expected, actual=values[amount_column]
                )
            )
    balance = values["GRZHYE"]
    if balance < 0:
        reasons.append(REJECT_NEGATIVE_BALANCE.format(value=balance))
    last_year, this_year = values["GRZHSNJZYE"], values["GRZHDNGJYE"]
    if last_year is not None and this_year is not None and last_year + this_year != balance:
        reasons.append(REJECT_BALANCE_PARTS.format(total=last_year + this_year, balance=balance))
    return reasons


def _people_rule(values: dict, flags: CzbzFlags) -> list[str]:
    return [] if values["ZJLX"] == mapping.RESIDENT_ID_CARD else [REJECT_ZJLX]


def _ledger_rule(values: dict, flags: CzbzFlags) -> list[str]:
    reasons = []
    kind, amount = values["GJHTQYWLX"], values["FSE"]
    if kind in mapping.LEDGER_NO_MONEY:
        if amount != 0:
            reasons.append(REJECT_FSE_ZERO.format(kind=kind, value=amount))
    elif kind == mapping.LEDGER_SIGNED_KIND:
        if amount == 0:
            reasons.append(REJECT_FSE_NONZERO)
    elif kind in mapping.LEDGER_KINDS:
        if amount <= 0:
            reasons.append(REJECT_FSE_POSITIVE.format(value=amount))
    else:
        reasons.append(REJECT_LEDGER_TYPE.format(value=kind))
    if kind in mapping.LEDGER_WITHDRAWALS and values["TQYY"] is None:
        reasons.append(REJECT_TQYY)
    flag = values["CZBZ"]
    if flag is not None and flag not in flags.normal and flag not in flags.reversal:
        reasons.append(REJECT_CZBZ.format(value=_value(flag)))
    return reasons


def _term_reasons(values: dict, column: str) -> list[str]:
    term = values[column]
    return [] if term is None or 1 <= term <= TERM_MAX else [REJECT_TERM.format(column=column, value=term)]


def _loan_rate_reasons(values: dict, column: str) -> list[str]:
    rate = values[column]
    return [] if rate is None or 0 < rate < LOAN_RATE_MAX else [REJECT_LOAN_RATE.format(column=column, value=rate)]


def _positive(values: dict, *columns: str) -> list[str]:
    return [
        REJECT_POSITIVE.format(column=c, value=values[c]) for c in columns if values[c] is not None and values[c] <= 0
    ]


def _not_negative(values: dict, *columns: str) -> list[str]:
    return [
        REJECT_NOT_NEGATIVE.format(column=c, value=values[c])
        for c in columns
        if values[c] is not None and values[c] < 0
    ]


def _contract_rule(values: dict, flags: CzbzFlags) -> list[str]:
    reasons = []
    if values["DKHKFS"] not in mapping.REPAYMENT_METHODS:
        reasons.append(REJECT_REPAYMENT_METHOD.format(value=values["DKHKFS"]))
    reasons += _term_reasons(values, "DKQS") + _loan_rate_reasons(values, "JKHTLL")
    reasons += _positive(values, "HTDKJE", "FWZJ")
    number = values["JKRZJH"]
    if number is not None and values["JKRZJLX"] in (None, mapping.RESIDENT_ID_CARD):
        error = id_number_error(number)
        if error:
            reasons.append(REJECT_ID_NUMBER.format(column="JKRZJH", error=error))
    return reasons


def _loan_account_rule(values: dict, flags: CzbzFlags) -> list[str]:
    reasons = _term_reasons(values, "DKQS") + _loan_rate_reasons(values, "DKLL")
    reasons += _positive(values, "DKFFE")
    reasons += _not_negative(values, "DKYE", "DQJHHKJE", "DQJHGHBJ", "DQJHGHLX", "HSBJZE", "HSLXZE")
    if values["DKYE"] > values["DKFFE"]:
        reasons.append(REJECT_LOAN_BALANCE.format(balance=values["DKYE"], amount=values["DKFFE"]))
    remaining, term = values["SYQS"], values["DKQS"]
    if remaining is not None and remaining > term:
        reasons.append(REJECT_REMAINING.format(remaining=remaining, term=term))
    return reasons


def _loan_posting_rule(values: dict, flags: CzbzFlags) -> list[str]:
    reasons = _not_negative(values, "FSE", "BJJE", "LXJE", "FXJE")
    total = values["BJJE"] + values["LXJE"] + (values["FXJE"] or 0)
    if total != values["FSE"]:
        reasons.append(REJECT_POSTING_SUM.format(total=total, amount=values["FSE"]))
    return reasons


def _progress_rule(values: dict, flags: CzbzFlags) -> list[str]:
    return [] if values["JDXH"] >= 1 else [REJECT_STEP.format(value=values["JDXH"])]


def _result_rule(values: dict, flags: CzbzFlags) -> list[str]:
    return [REJECT_REFUSAL_REASON] if values["CLJG"] == mapping.RESULT_REFUSED and not values["JJYY"] else []


def _decision_rule(values: dict, flags: CzbzFlags) -> list[str]:
    reasons = _positive(values, "FSE")
    if values["YWLX"] == mapping.DECISION_WITHDRAWAL and values["TQYY"] is None:
        reasons.append(REJECT_WITHDRAWAL_REASON)
    if values["YWLX"] == mapping.DECISION_LOAN and None in (values["DKQS"], values["JKHTLL"], values["DKHKFS"]):
        reasons.append(REJECT_LOAN_TERMS)
    reasons += _term_reasons(values, "DKQS") + _loan_rate_reasons(values, "JKHTLL")
    stamp = values["SPSJ"]
    try:
        valid = len(stamp) == 19 and datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S") is not None
    except ValueError:
        valid = False
    if not valid:
        reasons.append(REJECT_TIMESTAMP.format(value=_value(stamp)))
    return reasons


ROW_RULES: dict[str, Callable[[dict, CzbzFlags], list[str]]] = {
    "GRXX": _people_rule,
    "GRZHXX": _rates_rule,
    "GRMX": _ledger_rule,
    "DKHT": _contract_rule,
    "DKZHXX": _loan_account_rule,
    "DKMX": _loan_posting_rule,
    "DKJD": _progress_rule,
    "JDFK": _result_rule,
    "WTJD": _decision_rule,
}


# ------------------------------------------------------------- rows_read


def _key(cells: list[str], positions: list[int]) -> str:
    parts = []
    for index in positions:
        value = cells[index].strip() if index < len(cells) else ""
        parts.append(value if len(value) <= KEY_PART_MAX else value[:KEY_PART_MAX] + "…")
    return "/".join(parts)


def _values_with_errors(plan: list, cells: list[str]) -> tuple[dict, list[str] | None]:
    """Parse a row cell by cell, naming every bad one (errors None if none)."""
    values: dict[str, object] = {}
    errors = []
    for (name, parse), cell in zip(plan, cells, strict=True):
        try:
            values[name] = parse(cell)
        except _Bad as bad:
            errors.append(bad.args[0])
    return values, errors or None


def rows_read(
    folder: Path, manifest: Manifest, table: str, *, flags: CzbzFlags | None = None
) -> Iterator[Row | RowReject]:
    """Stream one table's rows in file order: a Row with every column typed
    (CHAR/CODE str, MONEY/RATIO Decimal, INT int, DATE date, MONTH "YYYYMM",
    empty None) or a RowReject with the reason. Nothing if the batch has no
    file for the table. `flags`: GRMX.CZBZ's values (default: the settings')."""
    schema_table = table_lookup(table)
    entry = manifest.files.get(table)
    if entry is None:
        return
    flags = flags if flags is not None else czbz_flags()
    path = Path(folder) / entry.file
    encoding = manifest.encoding
    names = _header(path, entry.file, encoding, schema_table)
    parsers = _parsers(table)
    plan = [(name, parsers[name]) for name in names]
    fast_row = _fast_row(table, tuple(names))
    absent = {c.name: None for c in schema_table.columns if c.name not in names}
    key_positions = [names.index(k) for k in schema_table.key]
    width = len(names)
    rule = ROW_RULES.get(table)
    reject_nul, reject_csv = REJECT_NUL, REJECT_CSV
    lines = _lines(path, CODECS[encoding], encoding)
    next(lines, None)  # the header, checked above
    for line_no, text, problem in lines:
        if problem is not None:
            yield RowReject(line_no, "", problem)
            continue
        if '"' in text:
            try:
                cells = next(csv.reader((text,), strict=True))
            except csv.Error:
                yield RowReject(line_no, _key(text.split(","), key_positions), reject_csv)
                continue
        else:
            cells = text.split(",")
        if "\x00" in text:
            yield RowReject(line_no, _key(cells, key_positions).replace("\x00", ""), reject_nul)
            continue
        if len(cells) != width:
            reason = REJECT_WIDTH.format(expected=width, actual=len(cells))
            yield RowReject(line_no, _key(cells, key_positions), reason)
            continue
        errors = None
        try:
            values = fast_row(cells)
        except _Bad:
            values = None
        if values is None:
            values, errors = _values_with_errors(plan, cells)
            if absent:
                values.update(absent)
        if errors is None and rule is not None:
            errors = rule(values, flags) or None
        if errors is not None:
            yield RowReject(line_no, _key(cells, key_positions), "；".join(errors))
            continue
        yield Row(line_no, values)
