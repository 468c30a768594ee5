"""Writes an interchange batch (docs/interchange.md): one CSV per table and
manifest.json (pure Python, no Django).

Used by the seeds (the demo and the 20-million-row scale set go through the
import), the tests and books_export. Streamed: rows are formatted a chunk at a
time into memory, encoded, hashed and written, so a table of any size costs a
chunk of memory. The per-column formatters are chosen once per table, never
per row.
"""

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path

from inquiry.interchange import schema
from inquiry.interchange.reader import (
    CODECS,
    FILE_NEWLINE,
    KINDS,
    MAX_INTEGER_DIGITS,
    FileEntry,
    Manifest,
    encoding_canonical,
)

CACHE_MAX = 100_000  # distinct dates remembered per column
CHUNK_ROWS = 20_000  # rows formatted per write: large enough to amortize, small in memory
MANIFEST_NAME = "manifest.json"

ERROR_MONEY_SCALE = "{column} 金额最多两位小数: {value}"
ERROR_RATIO_SCALE = "{column} 比例最多{scale}位小数: {value}"
ERROR_NUMBER_RANGE = "{column} 数值超出范围: {value}"
ERROR_NUMBER_TYPE = "{column} 应为 Decimal 或整数, 不是 {type}"
ERROR_TOO_LONG = "{column} 超过{length}个字符"
ERROR_LINE_BREAK = "{column} 不能含换行符"
ERROR_DATE_TYPE = "{column} 应为日期, 不是 {type}"
ERROR_MONTH = "{column} 应为 YYYYMM: {value}"
ERROR_KIND = "批次类型应为 full 或 delta: {value}"
ERROR_AS_OF = "截至时间应带时区"
ERROR_BATCH_NO = "批次号应为正整数: {value}"
ERROR_TABLE = "未知的表: {value}"
ERROR_ENCODING = "编码应为 UTF-8 或 GB18030: {value}"


class WriteError(ValueError):
    """A value the format cannot carry (a programming error in the caller: the
    writer never rounds or truncates what it was given)."""


def _number_limit(column: schema.Column) -> Decimal:
    return Decimal(10) ** MAX_INTEGER_DIGITS.get(column.type, 16)


def _decimal_formatter(column: schema.Column) -> Callable[[object], str]:
    name = column.name
    scale = column.scale if column.type == schema.RATIO else 2
    exponent = -scale
    quantum = Decimal(1).scaleb(exponent)
    limit = _number_limit(column)
    money = column.type == schema.MONEY
    scale_error = ERROR_MONEY_SCALE if money else ERROR_RATIO_SCALE

    def format_decimal(value) -> str:
        if value is None:
            return ""
        if type(value) is Decimal and value.as_tuple().exponent == exponent and -limit < value < limit:
            # The common case (a cent amount): str() of a Decimal with this exponent is plain.
            return str(value)
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            raise WriteError(ERROR_NUMBER_TYPE.format(column=name, type=type(value).__name__))
        number = Decimal(value)
        if not number.is_finite():
            raise WriteError(ERROR_NUMBER_RANGE.format(column=name, value=value))
        if not -limit < number < limit:
            raise WriteError(ERROR_NUMBER_RANGE.format(column=name, value=value))
        if money:
            exact = number.quantize(quantum)
            if exact != number:
                raise WriteError(scale_error.format(column=name, value=value, scale=scale))
            return f"{exact:f}"
        # A ratio is written as given (0.12 stays 0.12), only refused if finer than its scale.
        if number != number.quantize(quantum):
            raise WriteError(scale_error.format(column=name, value=value, scale=scale))
        return f"{number:f}"

    return format_decimal


def _int_formatter(column: schema.Column) -> Callable[[object], str]:
    name = column.name

    def format_int(value) -> str:
        if value is None:
            return ""
        if type(value) is int:
            return str(value)
        if isinstance(value, str) and value.isascii() and value.isdigit():
            return value
        raise WriteError(ERROR_NUMBER_TYPE.format(column=name, type=type(value).__name__))

    return format_int


def _date_formatter(column: schema.Column) -> Callable[[object], str]:
    name = column.name
    known: dict[date, str] = {}  # strftime is slow and a ledger has a few thousand distinct days

    def format_date(value) -> str:
        if value is None:
            return ""
        if type(value) is date:
            text = known.get(value)
            if text is None:
                text = f"{value.year:04d}{value.month:02d}{value.day:02d}"
                if len(known) < CACHE_MAX:
                    known[value] = text
            return text
        if isinstance(value, str):  # already in the file's form (the reader validates it)
            return value
        # A datetime is refused rather than cut to its date: which day depends on the zone.
        raise WriteError(ERROR_DATE_TYPE.format(column=name, type=type(value).__name__))

    return format_date


def _month_formatter(column: schema.Column) -> Callable[[object], str]:
    name = column.name

    def format_month(value) -> str:
        if value is None:
            return ""
        if isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit():
            return value
        if type(value) is date:
            return value.strftime("%Y%m")
        raise WriteError(ERROR_MONTH.format(column=name, value=value))

    return format_month


def _text_formatter(column: schema.Column) -> Callable[[object], str]:
    name = column.name
    length = column.length or None

    def format_text(value) -> str:
        if value is None:
            return ""
        text = value if type(value) is str else str(value)
        if length is not None and len(text) > length:
            raise WriteError(ERROR_TOO_LONG.format(column=name, length=length))
        if "\n" in text or "\r" in text:
            # One record is one line (the row counts and the reader's line numbers rely on it).
            raise WriteError(ERROR_LINE_BREAK.format(column=name))
        return text

    return format_text


_FORMATTERS = {
    schema.MONEY: _decimal_formatter,
    schema.RATIO: _decimal_formatter,
    schema.INT: _int_formatter,
    schema.DATE: _date_formatter,
    schema.MONTH: _month_formatter,
    schema.CHAR: _text_formatter,
    schema.CODE: _text_formatter,
}


def column_formatter(column: schema.Column) -> Callable[[object], str]:
    """The function that formats one column's values (chosen once, used per row)."""
    return _FORMATTERS[column.type](column)


def format_value(column: schema.Column, value) -> str:
    """One value as it is written in the file: None -> "", money "1234.50"
    (more than two decimals refused), a date "YYYYMMDD", a month "YYYYMM", an
    int its digits, a ratio as given."""
    return column_formatter(column)(value)


def _chunk_source(table: schema.Table) -> tuple[str, dict]:
    """The source of a function that formats a chunk of rows into lists of
    cells, and its globals: one loop with each column's common case inlined
    (None -> "", a cent Decimal -> str) and the column formatter called for
    the rest. Why generated: 20 million ledger rows are 260 million cells, and
    in CPython a call per cell costs more than everything else the writer does."""
    scope: dict[str, object] = {"Decimal": Decimal}
    lines = [
        "def format_chunk(rows):",
        "    out = []",
        "    append = out.append",
        "    for r in rows:",
        "        g = r.get",
    ]
    cells = []
    for i, column in enumerate(table.columns):
        scope[f"F{i}"] = column_formatter(column)
        lines.append(f"        v = g({column.name!r})")
        if column.type == schema.MONEY:
            # str() of a Decimal with exactly two decimals is plain; 19 characters fit decimal(18,2).
            lines.append(
                f"        a{i} = '' if v is None else (s if type(v) is Decimal and (s := str(v))[-3:-2] == '.'"
                f" and len(s) <= 19 else F{i}(v))"
            )
        else:
            lines.append(f"        a{i} = '' if v is None else F{i}(v)")
        cells.append(f"a{i}")
    lines.append(f"        append([{', '.join(cells)}])")
    lines.append("    return out")
    return "\n".join(lines) + "\n", scope


def chunk_formatter(table: schema.Table) -> Callable[[list], list[list[str]]]:
    """format_chunk(rows) -> the rows' cells, in the table's column order."""
    source, scope = _chunk_source(table)
    exec(compile(source, f"<interchange writer {table.name}>", "exec"), scope)  # noqa: S102 (our own source)
    return scope["format_chunk"]


def _table(name: str) -> schema.Table:
    table = schema.BY_NAME.get(name) or next((t for t in schema.EXPORT_TABLES if t.name == name), None)
    if table is None:
        raise WriteError(ERROR_TABLE.format(value=name))
    return table


def table_write(
    path: Path, table: schema.Table, rows: Iterable[Mapping[str, object]], *, encoding: str = "UTF-8"
) -> tuple[int, str]:
    """Write one table's CSV at `path`; returns (rows, sha256 of the bytes)."""
    canonical = encoding_canonical(encoding)
    if canonical is None:
        raise WriteError(ERROR_ENCODING.format(value=encoding))
    codec = CODECS[canonical]
    names = table.column_names
    format_chunk = chunk_formatter(table)
    digest = hashlib.sha256()
    count = 0
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator=FILE_NEWLINE)
    iterator = iter(rows)
    with open(path, "wb") as file:
        out.writerow(names)
        while True:
            chunk = list(islice(iterator, CHUNK_ROWS))
            if chunk:
                out.writerows(format_chunk(chunk))
                count += len(chunk)
            data = buffer.getvalue().encode(codec)
            buffer.seek(0)
            buffer.truncate()
            digest.update(data)
            file.write(data)
            if len(chunk) < CHUNK_ROWS:
                break
    return count, digest.hexdigest()


def manifest_json(manifest: Manifest) -> str:
    """manifest.json's text for a Manifest (the form batch_open reads)."""
    return json.dumps(
        {
            "batch_no": manifest.batch_no,
            "kind": manifest.kind,
            "as_of": manifest.as_of.isoformat(),
            "encoding": manifest.encoding,
            "files": [
                {"table": e.table, "file": e.file, "rows": e.rows, "sha256": e.sha256} for e in manifest.files.values()
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def batch_write(
    folder: Path,
    *,
    batch_no: int,
    kind: str,
    as_of: datetime,
    tables: Mapping[str, Iterable[Mapping[str, object]]],
    encoding: str = "UTF-8",
) -> Manifest:
    """Write a batch into `folder` (created if needed): `<TABLE>.csv` for each
    table given (header in the schema's column order, a missing key an empty
    cell), then manifest.json with each file's row count and SHA-256. The
    manifest is written last, so a folder without one is an unfinished batch."""
    if isinstance(batch_no, bool) or not isinstance(batch_no, int) or batch_no < 1:
        raise WriteError(ERROR_BATCH_NO.format(value=batch_no))
    if kind not in KINDS:
        raise WriteError(ERROR_KIND.format(value=kind))
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise WriteError(ERROR_AS_OF)
    canonical = encoding_canonical(encoding)
    if canonical is None:
        raise WriteError(ERROR_ENCODING.format(value=encoding))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, rows in tables.items():
        table = _table(name)
        file_name = f"{table.name}.csv"
        count, sha256 = table_write(folder / file_name, table, rows, encoding=canonical)
        files[table.name] = FileEntry(table=table.name, file=file_name, rows=count, sha256=sha256)
    manifest = Manifest(batch_no=batch_no, kind=kind, as_of=as_of, encoding=canonical, files=files)
    (folder / MANIFEST_NAME).write_text(manifest_json(manifest) + "\n", encoding="utf-8")
    return manifest
