"""The column and code tables of docs/interchange.md, written from schema.py
and mapping.py so the document cannot drift from the code: the document holds
them between marker comments, a test compares.

Rewrite them in the document with
`.venv/bin/python manage.py shell -c "from inquiry.interchange.document import main; main()"`.
"""

import re
from pathlib import Path

from inquiry.interchange import mapping, schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "interchange.md"
BEGIN = "<!-- generated:{name} (inquiry/interchange/document.py) -->"
END = "<!-- /generated:{name} -->"

TYPE_NAMES = {
    schema.CHAR: "字符",
    schema.CODE: "代码",
    schema.MONEY: "金额 decimal(18,2)",
    schema.INT: "整数",
    schema.DATE: "日期 YYYYMMDD",
    schema.MONTH: "年月 YYYYMM",
}
CODE_TITLES = {
    "ZJLX": "证件类型（附录A.1）",
    "XINGBIE": "性别",
    "HYZK": "婚姻状况",
    "GRZHZT": "个人账户状态（附录A.6）",
    "GJHTQYWLX": "归集和提取业务类型（附录A.5）",
    "TQYY": "提取原因（附录A.7, 也用于销户原因 XHYY）",
    "TQFS": "提取方式（附录A.8）",
    "DKHKFS": "还款方式（附录A.11）",
    "DKDBLX": "担保类型（附录A.10）",
    "DKFXDJ": "贷款风险等级（附录A.14）",
    "DKYWMXLX": "贷款业务明细类型（附录A.15）",
    "DKZT": "贷款状态（网厅扩展）",
    "JDZT": "贷款进度节点状态（网厅扩展）",
    "CLJG": "处理结果（网厅扩展）",
    "WTYWLX": "网厅业务类型（网厅扩展）",
    "XHBZ": "销户标志（网厅扩展）",
}
SIGN_NAMES = {1: "增加余额", -1: "减少余额"}


def _type_name(column: schema.Column) -> str:
    if column.type == schema.RATIO:
        return f"比例（小数, 至多{column.scale}位小数）"
    return TYPE_NAMES[column.type]


def table_markdown(table: schema.Table) -> str:
    number = f"（JGJ/T 320-2014 表{table.number}）" if table.number else "（网厅自有表）"
    lines = [
        f"### {table.name} {table.label}{number}",
        "",
        f"文件 `{table.name}.csv`, 自然键 (natural key): {' + '.join(table.key)}。",
        "",
        "| 字段 | 中文名 | 类型 | 长度 | 必填 | 代码表 | 对应网厅字段 (maps to) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in table.columns:
        length = str(c.length) if c.type == schema.CHAR and c.length else ""
        required = "是" if c.required else ""
        codes = f"[{c.codes}](#{c.codes.lower()})" if c.codes else ""
        maps_to = f"{c.maps_to} **扩展**" if c.extension else c.maps_to
        maps_to = maps_to.replace("|", "\\|")
        lines.append(f"| {c.name} | {c.label} | {_type_name(c)} | {length} | {required} | {codes} | {maps_to} |")
    return "\n".join(lines)


def tables_markdown() -> str:
    return "\n\n".join(table_markdown(t) for t in (*schema.TABLES, *schema.EXPORT_TABLES))


def codes_markdown() -> str:
    parts = []
    for name, codes in mapping.CODE_LISTS.items():
        if name == "GJHTQYWLX":
            lines = [f"#### {name}", "", CODE_TITLES[name], "", "| 代码 | 名称 | 网厅处理 |", "| --- | --- | --- |"]
            for code, label in codes.items():
                if code in mapping.LEDGER_KINDS:
                    kind, sign = mapping.LEDGER_KINDS[code]
                    handling = f"缴存支取明细 `{kind}`, {SIGN_NAMES[sign]}"
                    if code == mapping.LEDGER_SIGNED_KIND:
                        handling = "缴存支取明细, FSE 带符号: 正数为转入（增加余额）, 负数为转出（减少余额）"
                    if code in mapping.LEDGER_WITHDRAWALS:
                        handling += ", 必须有 TQYY"
                elif code in mapping.LEDGER_NO_MONEY:
                    handling = "不涉及资金: FSE 必须为 0, 不显示为明细"
                else:
                    handling = "拒绝（无法确定记账方向）"
                lines.append(f"| {code} | {label} | {handling} |")
        else:
            lines = [f"#### {name}", "", CODE_TITLES.get(name, name), "", "| 代码 | 名称 |", "| --- | --- |"]
            lines += [f"| {code} | {label} |" for code, label in codes.items()]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


GENERATED = {"tables": tables_markdown, "codes": codes_markdown}


def block(name: str) -> str:
    return f"{BEGIN.format(name=name)}\n\n{GENERATED[name]()}\n\n{END.format(name=name)}"


def block_in(text: str, name: str) -> str | None:
    """The generated block `name` as the document holds it."""
    pattern = re.escape(BEGIN.format(name=name)) + r".*?" + re.escape(END.format(name=name))
    found = re.search(pattern, text, re.S)
    return found.group(0) if found else None


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in GENERATED:
        current = block_in(text, name)
        if current is None:
            raise SystemExit(f"docs/interchange.md has no block {BEGIN.format(name=name)}")
        text = text.replace(current, block(name))
    DOC.write_text(text, encoding="utf-8")
