"""The two template engines' pitfalls, checked over every template file.

- Jinja2 (templates/, the portal's pages): every template compiles, also the
  ones no page test happens to render, and none uses Django's template words,
  which in Jinja2 would be plain text or a missing variable, not an error.
- Django (templates/django/: admin, form widgets): a {# #} comment ends on its
  own line; one spread over several lines is not a comment but text, printed
  on the page (the 数据核对中 notice once carried its English developer note
  this way). Longer notes go in {% comment %}. Jinja2's {# #} may span lines.
"""

import re
from pathlib import Path

import pytest
from django.template import engines

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
DJANGO_TEMPLATES = TEMPLATES / "django"
OPEN_WITHOUT_CLOSE = re.compile(r"\{#(?!.*#\})")
# Django spellings that Jinja2 would not refuse: `forloop.counter` is a missing
# variable, `x.get_y_display` a bound method shown as text, `block.super` empty.
DJANGO_WORDS = re.compile(r"forloop\.|block\.super|\.get_\w+_display(?!\()|\.non_field_errors(?!\()|is not None")


def jinja2_templates() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if not path.is_relative_to(DJANGO_TEMPLATES)
    )


def unclosed_comments(text: str) -> list[int]:
    """Line numbers where a {# comment is opened and not closed on the same line."""
    return [n for n, line in enumerate(text.splitlines(), 1) if OPEN_WITHOUT_CLOSE.search(line)]


def test_unclosed_comments_finds_a_comment_spread_over_lines():
    assert unclosed_comments("{# one line #}\n<p>{{ x }}</p>") == []
    assert unclosed_comments("<p>\n{# first line\n  second line #}\n</p>") == [2]


def test_django_templates_have_no_comment_spread_over_lines():
    templates = sorted(DJANGO_TEMPLATES.rglob("*.html"))
    assert templates
    found = {
        str(path.relative_to(ROOT)): lines
        for path in templates
        if (lines := unclosed_comments(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize("name", jinja2_templates())
def test_jinja2_template_compiles(name):
    engines["jinja2"].env.get_template(name)


def test_jinja2_templates_use_no_django_words():
    assert jinja2_templates()
    found = {
        name: DJANGO_WORDS.findall(text)
        for name in jinja2_templates()
        if DJANGO_WORDS.search(text := (TEMPLATES / name).read_text(encoding="utf-8"))
    }
    assert found == {}


def test_a_page_name_reaches_jinja2_and_an_admin_name_the_django_engine():
    from django.template.loader import get_template

    assert get_template("tasks/home.html").backend is engines["jinja2"]
    assert get_template("admin/staff_login.html").backend is engines["django"]
    assert get_template("captcha/widgets/captcha.html").backend is engines["django"]
