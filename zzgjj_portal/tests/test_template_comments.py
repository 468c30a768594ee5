"""Django's {# #} comment ends on its own line: one spread over several lines
is not a comment but text, printed on the page for members to read (the
数据核对中 notice once carried its English developer note this way). Longer
notes go in {% comment %}."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPEN_WITHOUT_CLOSE = re.compile(r"\{#(?!.*#\})")


def unclosed_comments(text: str) -> list[int]:
    """Line numbers where a {# comment is opened and not closed on the same line."""
    return [n for n, line in enumerate(text.splitlines(), 1) if OPEN_WITHOUT_CLOSE.search(line)]


def test_unclosed_comments_finds_a_comment_spread_over_lines():
    assert unclosed_comments("{# one line #}\n<p>{{ x }}</p>") == []
    assert unclosed_comments("<p>\n{# first line\n  second line #}\n</p>") == [2]


def test_templates_have_no_comment_spread_over_lines():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert templates
    found = {
        str(path.relative_to(ROOT)): lines
        for path in templates
        if (lines := unclosed_comments(path.read_text(encoding="utf-8")))
    }
    assert found == {}
