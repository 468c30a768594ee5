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
  and Django 5.2's {% querystring %} return, and are escaped the same way.

A missing variable, attribute or call is silently "" (false, empty) as in
Django's engine, in development too (SilentUndefined).
"""

from types import SimpleNamespace
from weakref import WeakKeyDictionary

from django.template import defaultfilters, defaulttags
from django.template.base import render_value_in_context
from django.templatetags.static import static
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment, Undefined, pass_context

from zzgjj_portal.templatetags import portal

# What render_value_in_context reads of a Django Context: its defaults.
_DJANGO_CONTEXT = SimpleNamespace(autoescape=True, use_l10n=None, use_tz=None)

# Django's built-in filters the templates use, by their Django names (Jinja2's
# own `default` and `urlencode` differ: they are replaced).
DJANGO_FILTERS = ["date", "default", "stringformat", "truncatechars", "urlencode", "yesno"]


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


def finalize(value):
    """{{ value }} as Django's engine writes it into a page."""
    if isinstance(value, Undefined):
        return ""
    return render_value_in_context(value, _DJANGO_CONTEXT)


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


def url(viewname, *args, **kwargs) -> str:
    """{% url viewname arg … %}."""
    if args or kwargs:
        return reverse(viewname, args=args, kwargs=kwargs)
    resolver = get_resolver(get_urlconf())
    known = _reversed.get(resolver)
    if known is None:
        known = _reversed.setdefault(resolver, {})
    key = (get_script_prefix(), viewname)
    try:
        return known[key]
    except KeyError:
        found = known[key] = reverse(viewname)
        return found


@pass_context
def querystring(context, query_dict=None, **kwargs) -> str:
    """Django 5.2's {% querystring key=value … %}, by Django's own function
    (a missing value counts as "", as a simple tag's argument does)."""
    if query_dict is None:
        query_dict = context["request"].GET
    kwargs = {key: "" if isinstance(value, Undefined) else value for key, value in kwargs.items()}
    return defaulttags.querystring(None, query_dict, **kwargs)


def environment(**options) -> Environment:
    """The environment factory named in settings.TEMPLATES (OPTIONS.environment)."""
    options.update(
        autoescape=True,
        # Django keeps a template's last newline, included templates' too.
        keep_trailing_newline=True,
        finalize=finalize,
        undefined=SilentUndefined,
    )
    env = Environment(**options)  # noqa: S701 - autoescape is on (above)
    env.filters.update({name: django_filter(defaultfilters.register.filters[name]) for name in DJANGO_FILTERS})
    env.filters.update({name: django_filter(func) for name, func in portal.register.filters.items()})
    env.globals.update(url=url, static=static, querystring=querystring)
    return env
