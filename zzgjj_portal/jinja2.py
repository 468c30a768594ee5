"""The Jinja2 environment of the portal's own pages (settings.TEMPLATES,
`django.template.backends.jinja2.Jinja2`; templates/ minus templates/django/).

Jinja2 renders a member page in a fraction of the Django engine's time. The
pages must not change by a byte (zzgjj_portal/tests/test_page_snapshots.py),
so what Django does to a value on its way into the page is done here by
Django's own code:

- every `{{ value }}` goes through Django's render_value_in_context (the
  `finalize` below): datetimes in local time, numbers and dates localised,
  escaped with Django's escape (`&#x27;`, `&quot;`; markupsafe would write
  `&#39;` and `&#34;`), safe strings left alone; a missing value is "";
- filters are Django's own functions under their Django names, applied as
  Django's engine applies them (`expects_localtime`, `needs_autoescape`,
  `is_safe`); the portal's (|money …) come from templatetags/portal.py, which
  the Django engine (admin) loads too;
- `url()`, `static()` and `querystring()` return what {% url %}, {% static %}
  and Django 5.2's {% querystring %} return, and are escaped the same way;
  `{{ csrf_input }}` is made once per page, as {% csrf_token %}'s token is.

Since `finalize` escapes every value, the compiled templates do not pass it
through markupsafe's escape() as well (PortalCodeGenerator): that would only
copy the escaped text into a Markup, and cost more than all the rest of a
value's way into the page. So `{% autoescape false %}` has no effect here:
mark a value safe in Python (mark_safe, format_html) as for Django.

A missing variable, attribute or call is silently "" (false, empty) as in
Django's engine, in development too (SilentUndefined).
"""

from datetime import date, datetime
from functools import partial
from types import SimpleNamespace
from weakref import WeakKeyDictionary

from django.conf import settings
from django.core.files.storage import storages
from django.template import defaultfilters, defaulttags
from django.template.backends.utils import csrf_input
from django.template.base import render_value_in_context
from django.templatetags import static as static_tag
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment, Undefined, nodes, pass_context
from jinja2.compiler import CodeGenerator

from zzgjj_portal.templatetags import portal

# What render_value_in_context reads of a Django Context: its defaults.
_DJANGO_CONTEXT = SimpleNamespace(autoescape=True, use_l10n=None, use_tz=None)

# Django's built-in filters the templates use, by their Django names (Jinja2's
# own `default` and `urlencode` differ: they are replaced). `date` is
# date_filter below, Django's with the pages' two formats spelt out.
DJANGO_FILTERS = ["default", "stringformat", "truncatechars", "urlencode", "yesno"]


class SilentUndefined(ChainableUndefined):
    """What a missing name is in Django's engine: "" when shown, false in
    {% if %}, empty in {% for %}, and so are its attributes and items
    (ChainableUndefined) and, here, calling it: `form.non_field_errors()` of
    a page without a form is false, as `form.non_field_errors` is in Django.
    Compared with < > it is false, as Django's {% if %} treats a comparison
    that fails."""

    __slots__ = ()

    def __call__(self, *args, **kwargs):
        return self

    def __lt__(self, other):
        return False

    __le__ = __gt__ = __ge__ = __lt__


# Django's escape() without the check for lazy strings, for a plain str.
_escape_str = escape.__wrapped__


def finalize(value):
    """{{ value }} as Django's engine writes it into a page: always text
    escaped for HTML (a SafeString)."""
    if type(value) is str:
        # Most values; what render_value_in_context does to a plain str.
        return _escape_str(value)
    if type(value) is SafeString:
        # Links, the CSRF field, widgets: render_value_in_context returns them as they are.
        return value
    if isinstance(value, Undefined):
        return ""
    return render_value_in_context(value, _DJANGO_CONTEXT)


class PortalCodeGenerator(CodeGenerator):
    """Compiles `{{ value }}` to `str(finalize(value))`, not
    `escape(finalize(value))`: finalize has escaped it already (the Django
    way). A constant `{{ "…" }}` is left to run time, so that it too is
    escaped by finalize rather than by markupsafe at compile time."""

    def _output_child_pre(self, node, frame, finalize_info):
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile and finalize_info.src:
            self.write("str(" + finalize_info.src)
        else:
            super()._output_child_pre(node, frame, finalize_info)

    def _output_child_to_const(self, node, frame, finalize_info):
        if not isinstance(node, nodes.TemplateData):
            raise nodes.Impossible()
        return super()._output_child_to_const(node, frame, finalize_info)


class PortalEnvironment(Environment):
    code_generator_class = PortalCodeGenerator


# The two formats the pages write a date in, spelt out: Django's date filter
# parses its format for every value (10 µs a date, 18 a datetime), a fifth of
# a ledger page's render. Django's 'Y' is the year with four digits, zero
# padded; 'H' and 'i' two digits.
_FAST_DATE = {"Y-m-d": "{0.year:04d}-{0.month:02d}-{0.day:02d}"}
_FAST_DATETIME = {
    "Y-m-d": "{0.year:04d}-{0.month:02d}-{0.day:02d}",
    "Y-m-d H:i": "{0.year:04d}-{0.month:02d}-{0.day:02d} {0.hour:02d}:{0.minute:02d}",
}
_django_date = defaultfilters.register.filters["date"]


def date_filter(value, arg=None):
    """Django's |date, the same text for every value (its localtime is done
    by django_filter, as for Django's own: expects_localtime)."""
    kind = type(value)
    fast = _FAST_DATETIME.get(arg) if kind is datetime else _FAST_DATE.get(arg) if kind is date else None
    return fast.format(value) if fast else _django_date(value, arg)


date_filter.expects_localtime = True


def django_filter(func):
    """A Django filter function as a Jinja2 filter, applied the way Django's
    FilterExpression applies it (a missing value reaches it as "")."""
    expects_localtime = getattr(func, "expects_localtime", False)
    needs_autoescape = getattr(func, "needs_autoescape", False)
    is_safe = getattr(func, "is_safe", False)

    def apply(value, *args):
        if isinstance(value, Undefined):
            value = ""
        if expects_localtime:
            value = template_localtime(value)
        result = func(value, *args, autoescape=True) if needs_autoescape else func(value, *args)
        if is_safe and isinstance(value, SafeData):
            return mark_safe(result)  # noqa: S308 - Django's rule: a safe filter keeps safe input safe
        return result

    apply.__name__ = apply.__qualname__ = func.__name__
    return apply


# reverse() of argument-less URL names, kept per URL resolver (so a new
# URLconf, or clear_url_caches() in tests, starts afresh) and per script
# prefix. A member page names some thirty URLs; each reverse() costs more than
# the rest of its {% url %}.
_reversed: WeakKeyDictionary = WeakKeyDictionary()


def _names_reversed() -> dict[str, str]:
    """The reversed names of the current URLconf and script prefix."""
    resolver = get_resolver(get_urlconf())
    by_prefix = _reversed.get(resolver)
    if by_prefix is None:
        by_prefix = _reversed.setdefault(resolver, {})
    return by_prefix.setdefault(get_script_prefix(), {})


# A name reversed with one id (a message's, an application's: up to forty
# links on the home page, 10 µs each) is reversed once with a stand-in id
# and then written around the real one. Kept only when a second id reverses
# to the same shape, so a converter that writes ids its own way is left to
# reverse().
_ID_STAND_IN = 9_876_543_210_123


def _id_pattern(viewname) -> tuple[str, str] | None:
    sample = reverse(viewname, args=[_ID_STAND_IN])
    parts = sample.split(str(_ID_STAND_IN))
    if len(parts) != 2 or reverse(viewname, args=[7]) != f"{parts[0]}7{parts[1]}":
        return None
    return parts[0], parts[1]


def _url(known: dict, viewname, *args, **kwargs) -> str:
    if kwargs or len(args) > 1:
        return reverse(viewname, args=args, kwargs=kwargs)
    if args:
        value = args[0]
        if type(value) is not int or value < 0:
            return reverse(viewname, args=args)
        key = (viewname, int)
        try:
            pattern = known[key]
        except KeyError:
            pattern = known[key] = _id_pattern(viewname)
        return f"{pattern[0]}{value}{pattern[1]}" if pattern else reverse(viewname, args=args)
    try:
        return known[viewname]
    except KeyError:
        found = known[viewname] = reverse(viewname)
        return found


def url(viewname, *args, **kwargs) -> str:
    """{% url viewname arg … %}."""
    return _url(_names_reversed(), viewname, *args, **kwargs)


def urls(request) -> dict:
    """Context processor: a page's `url()`, which looks the URLconf and the
    script prefix up once for the page rather than for each of its links
    (pages rendered without a request use the global `url` above)."""
    return {"url": partial(_url, _names_reversed())}


# static() URLs, kept per static files storage (a new STORAGES or STATIC_URL
# makes a new one) and DEBUG (with it, the manifest storage leaves names
# unhashed): a URL from the manifest costs several times a dict lookup.
_static_urls: WeakKeyDictionary = WeakKeyDictionary()


def static(path: str) -> str:
    """{% static path %}."""
    storage = storages["staticfiles"]
    known = _static_urls.get(storage)
    if known is None:
        known = _static_urls.setdefault(storage, {})
    key = (settings.DEBUG, path)
    try:
        return known[key]
    except KeyError:
        found = known[key] = static_tag.static(path)
        return found


@pass_context
def querystring(context, query_dict=None, **kwargs) -> str:
    """Django 5.2's {% querystring key=value … %}, by Django's own function
    (a missing value counts as "", as a simple tag's argument does)."""
    if query_dict is None:
        query_dict = context["request"].GET
    kwargs = {key: "" if isinstance(value, Undefined) else value for key, value in kwargs.items()}
    return defaulttags.querystring(None, query_dict, **kwargs)


def csrf(request) -> dict:
    """Context processor: `{{ csrf_input }}`, the hidden CSRF field, made at
    most once per page. The backend's own is a lazy string made afresh (a new
    masked token) each time it is written; Django's engine makes a page's
    {% csrf_token %} once (its csrf context processor)."""
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input(request))}


def environment(**options) -> Environment:
    """The environment factory named in settings.TEMPLATES (OPTIONS.environment)."""
    options.update(
        autoescape=True,
        # Django keeps a template's last newline, included templates' too.
        keep_trailing_newline=True,
        finalize=finalize,
        undefined=SilentUndefined,
    )
    env = PortalEnvironment(**options)  # noqa: S701 - autoescape is on (above)
    env.filters.update({name: django_filter(defaultfilters.register.filters[name]) for name in DJANGO_FILTERS})
    env.filters["date"] = django_filter(date_filter)  # Django's |date, faster for the pages' formats
    env.filters.update({name: django_filter(func) for name, func in portal.register.filters.items()})
    env.globals.update(url=url, static=static, querystring=querystring)
    return env
