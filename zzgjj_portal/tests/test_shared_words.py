"""One home for the center's codes and words (CONTRIBUTING.md, "Layers").

Account status and 提取原因 codes, the 贷款进度 node names and the 提取原因
words are spelled once, in inquiry/models/records.py (AccountStatus, WithdrawalReason,
LoanProgressName); everything else names them through those choices. A rule
that matched a spelled-out copy (the rent limit matched 「租赁自住住房」) stops
matching the day one copy changes, silently. Every module of ours except tests
and migrations is parsed, so a new one is covered without editing this test.
"""

import ast
from pathlib import Path

from inquiry.models import AccountStatus, LoanProgressName, WithdrawalReason

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "inquiry", "tasks", "zzgjj_portal")
# The codes' home, and the interchange mapping: the standard's other code
# lists (A.5, A.8, A.11 …) reuse the same two-digit values by design.
HOMES = ("inquiry/models/records.py", "inquiry/interchange/mapping.py")
# 审核 and 审批 are also the application workflow's step labels, so they are left out.
WORDS = (
    set(AccountStatus.values)
    | set(WithdrawalReason.values)
    | {LoanProgressName.ACCEPT, LoanProgressName.SIGN, LoanProgressName.MORTGAGE, LoanProgressName.DISBURSE}
    # The words the ledger used before it held codes.
    | {"租赁自住住房", "偿还购房贷款本息", "离休、退休", "购买自住住房", "建造翻建大修自住住房"}
)


def spelled_words(source: str) -> list[tuple[int, str]]:
    """(line, word) for every string literal in `source` that is one of WORDS."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in WORDS
    ]


def test_spelled_words_finds_a_copied_code_and_name():
    assert spelled_words('STATUS_NORMAL = "01"\nSTEPS = ["签订合同"]\n') == [(1, "01"), (2, "签订合同")]


def test_codes_and_names_are_spelled_only_in_inquiry_models():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/tests/" in relative or "/migrations/" in relative or relative in HOMES:
                continue
            found += [f"{relative}:{line}: {word!r}" for line, word in spelled_words(path.read_text(encoding="utf-8"))]
    assert not found, "use the choices of inquiry/models/records.py instead:\n" + "\n".join(found)
