"""The Jinja2 environment writes values as Django's engine does (the page
snapshots check whole pages; these check the pieces, one value at a time)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.template import engines
from django.test import RequestFactory, override_settings
from django.urls import clear_script_prefix, set_script_prefix
from django.utils.safestring import mark_safe

from zzgjj_portal import jinja2 as portal_jinja2


def jinja(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def django(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def outcome(render, source: str, **context) -> tuple[str, str]:
    try:
        return "text", render(source, **context)
    except Exception as exc:  # noqa: BLE001 - compared, not handled
        return "error", type(exc).__name__


VALUES = [
    '它\'s "quoted" <b>&</b>',
    mark_safe("<b>safe</b>"),  # noqa: S308 - a test value
    None,
    True,
    1234567,
    Decimal("1234.50"),
    2.5,
    date(2026, 5, 20),
    datetime(2026, 5, 20, 2, 30, tzinfo=UTC),
    ["a", "<b>"],
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_is_written_as_django_writes_it(value):
    assert jinja("{{ v }}", v=value) == django("{{ v }}", v=value)


@pytest.mark.parametrize(
    ("jinja_source", "django_source"),
    [
        ('{{ v|date("Y-m-d H:i") }}', '{{ v|date:"Y-m-d H:i" }}'),
        ('{{ v|default("无") }}', '{{ v|default:"无" }}'),
        ("{{ v|yesno('on,off') }}", "{{ v|yesno:'on,off' }}"),
        ("{{ v|truncatechars(5) }}", "{{ v|truncatechars:5 }}"),
        ("{{ v|urlencode }}", "{{ v|urlencode }}"),
        ("{{ v|stringformat('s') }}", "{{ v|stringformat:'s' }}"),
        ("{{ v|money }}", "{{ v|money }}"),
        ("{{ v|rate }}", "{{ v|rate }}"),
    ],
)
@pytest.mark.parametrize(
    "value", ["", "一二三四五六七八 <&>'", mark_safe("<i>安全的文字</i>"), Decimal("0.0265"), None, 0], ids=repr
)
def test_a_filter_gives_what_djangos_gives(jinja_source, django_source, value):
    # The same text, or the same error (|money of a word fails in both).
    assert outcome(jinja, jinja_source, v=value) == outcome(django, django_source, v=value)


def test_a_datetime_filter_uses_local_time():
    # 02:30 UTC is 10:30 in Asia/Shanghai, as Django's date filter shows it.
    assert jinja('{{ v|date("H:i") }}', v=datetime(2026, 5, 20, 2, 30, tzinfo=UTC)) == "10:30"


def test_a_missing_name_is_silent_as_in_django():
    assert jinja("[{{ nothing }}|{{ nothing.at.all }}|{{ nothing.call() }}|{{ nothing|default('无') }}]") == "[|||无]"
    assert jinja("{% if nothing.count() > 1 %}yes{% else %}no{% endif %}") == "no"
    assert jinja("{% for x in nothing.items %}{{ x }}{% else %}empty{% endfor %}") == "empty"
    assert jinja('{{ nothing|date("Y") }}') == django('{{ nothing|date:"Y" }}') == ""


def test_url_reverses_names_and_arguments():
    assert jinja("{{ url('tasks:home') }}") == "/home/"
    assert jinja("{{ url('tasks:message_detail', 7) }}") == "/messages/7/"


def test_url_of_a_name_follows_the_script_prefix():
    # Behind a proxy that mounts the portal under a path, every link carries it.
    set_script_prefix("/portal/")
    try:
        assert jinja("{{ url('tasks:home') }}") == "/portal/home/"
    finally:
        clear_script_prefix()
    assert jinja("{{ url('tasks:home') }}") == "/home/"


def test_url_of_a_page_rendered_for_a_request_follows_the_script_prefix():
    # A page's url() comes from a context processor (looked up once a page).
    request = RequestFactory().get("/")
    set_script_prefix("/portal/")
    try:
        page = engines["jinja2"].from_string("{{ url('tasks:home') }} {{ url('tasks:message_detail', 7) }}")
        assert page.render({}, request) == "/portal/home/ /portal/messages/7/"
    finally:
        clear_script_prefix()


@override_settings(ROOT_URLCONF="zzgjj_portal.tests.urls_elsewhere")
def test_url_of_a_name_follows_a_new_urlconf():
    assert jinja("{{ url('tasks:home') }}") == "/elsewhere/home/"


def test_url_of_a_name_is_reversed_once_per_resolver(monkeypatch):
    calls = []
    reverse = portal_jinja2.reverse
    monkeypatch.setattr(portal_jinja2, "reverse", lambda *a, **k: calls.append(a) or reverse(*a, **k))
    portal_jinja2._reversed.clear()
    assert jinja("{{ url('inquiry:ledger') }}{{ url('inquiry:ledger') }}") == "/ledger//ledger/"
    assert calls == [("inquiry:ledger",)]


def test_csrf_input_is_one_token_for_the_whole_page_as_in_django():
    request = RequestFactory().get("/")
    jinja_page = engines["jinja2"].from_string("{{ csrf_input }}|{{ csrf_input }}").render({}, request)
    first, second = jinja_page.split("|")
    assert first == second
    assert first.startswith('<input type="hidden" name="csrfmiddlewaretoken" value="')
    django_page = engines["django"].from_string("{% csrf_token %}|{% csrf_token %}").render({}, request)
    assert len(set(django_page.split("|"))) == 1


def test_static_gives_the_storages_url():
    assert jinja("{{ static('css/portal.css') }}") == django("{% load static %}{% static 'css/portal.css' %}")
    assert jinja("{{ static('css/portal.css') }}") == "/static/css/portal.css"


def test_static_follows_a_new_static_url():
    assert jinja("{{ static('css/portal.css') }}") == "/static/css/portal.css"
    with override_settings(STATIC_URL="/assets/"):
        assert jinja("{{ static('css/portal.css') }}") == "/assets/css/portal.css"
    assert jinja("{{ static('css/portal.css') }}") == "/static/css/portal.css"


def test_static_follows_debug_for_the_manifest_storage(tmp_path, settings):
    # With DEBUG the manifest storage names files as they are; without, hashed.
    (tmp_path / "staticfiles.json").write_text('{"paths": {"css/a.css": "css/a.123abc.css"}, "version": "1.1"}')
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    assert jinja("{{ static('css/a.css') }}") == "/static/css/a.123abc.css"
    settings.DEBUG = True
    assert jinja("{{ static('css/a.css') }}") == "/static/css/a.css"


@pytest.mark.parametrize(
    ("query", "source"),
    [
        ("", "{{ querystring(page=2) }}"),
        ("page=3&contract=A%26B", "{{ querystring(page=None) }}"),
        ("start=2026-01-01&page=2", "{{ querystring(format='xlsx', page=None, end='2026-05-20') }}"),
        ("a=1&a=2", "{{ querystring(a=[3, 4], b='x y') }}"),
        ("", "{{ querystring(page=missing.number) }}"),
        ("page=2", "{{ querystring() }}"),
    ],
)
def test_querystring_gives_what_djangos_tag_gives(query, source):
    request = RequestFactory().get("/ledger/", QueryDict(query))
    django_source = "{% querystring " + source[len("{{ querystring(") : -len(") }}")].replace(", ", " ") + " %}"
    django_source = django_source.replace("[3 4]", "values")
    expected = engines["django"].from_string(django_source).render({"values": [3, 4]}, request)
    assert engines["jinja2"].from_string(source).render({}, request) == expected


@pytest.mark.parametrize("fmt", ["Y-m-d", "Y-m-d H:i", "Y年n月j日"])
@pytest.mark.parametrize(
    "value",
    [
        date(2026, 5, 20),
        date(1, 1, 1),
        date(9999, 12, 31),
        datetime(2026, 5, 20, 2, 30, tzinfo=UTC),
        datetime(2026, 12, 31, 16, 5, tzinfo=UTC),  # the next day in Asia/Shanghai
        datetime(999, 3, 4, 5, 6),  # naive: written as it is
        "2026-05-20",
        None,
    ],
    ids=repr,
)
def test_the_fast_date_formats_write_what_djangos_date_filter_writes(fmt, value):
    # The page's two formats are spelt out (zzgjj_portal/jinja2.py date_filter); any other goes to Django's.
    # A date with a time format is an error in both.
    assert outcome(jinja, "{{ v|date(f) }}", v=value, f=fmt) == outcome(django, "{{ v|date:f }}", v=value, f=fmt)


def test_url_with_an_id_is_written_around_the_id_as_reverse_writes_it(monkeypatch):
    from django.urls import reverse as django_reverse

    calls = []
    monkeypatch.setattr(portal_jinja2, "reverse", lambda *a, **k: calls.append(a) or django_reverse(*a, **k))
    portal_jinja2._reversed.clear()
    ids = [0, 7, 123456789, 2**63 - 1]
    page = "".join(f"{{{{ url('tasks:message_delete', {n}) }}}}|" for n in ids)
    assert jinja(page) == "".join(django_reverse("tasks:message_delete", args=[n]) + "|" for n in ids)
    assert len(calls) == 2  # the stand-in and the check, then never again
    # Anything but a plain non-negative int goes to reverse() as before.
    assert jinja("{{ url('tasks:message_detail', '12') }}") == "/messages/12/"
    with pytest.raises(Exception, match="Reverse"):
        jinja("{{ url('tasks:message_detail', -1) }}")


def test_url_with_an_id_follows_the_script_prefix():
    set_script_prefix("/portal/")
    try:
        assert jinja("{{ url('tasks:message_detail', 8) }}") == "/portal/messages/8/"
    finally:
        clear_script_prefix()
    assert jinja("{{ url('tasks:message_detail', 8) }}") == "/messages/8/"
