"""The member frame: the login gate and what every member page's frame needs.

Any app's member page uses these without importing another app. What the
信息查询 menu shows depends on the records (the loan entries appear only for
a member with a contract), so the records app registers a menu provider
here at start-up instead of this module importing it.
"""

from collections.abc import Callable

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.template.response import SimpleTemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from zzgjj_portal import pagecache

MenuProvider = Callable[[object, dict], dict]
_menu_providers: list[MenuProvider] = []


def menu_provider(func: MenuProvider) -> MenuProvider:
    """Register `func(member, context) -> dict` as a source of menu context.
    It is called once per member page with the page's context so far: skip
    the query when the page already knows (keep it to one cheap query)."""
    if func not in _menu_providers:
        _menu_providers.append(func)
    return func


def is_member(user) -> bool:
    """A logged-in member's online identity (never staff: a database check holds that)."""
    return user.is_authenticated and user.member_id is not None


class MemberRequiredMixin:
    """Only a logged-in member passes; staff and anonymous visitors go to the
    member login. `self.member` is the member every query must start from.

    Every answer is marked never to be stored: member pages, downloads and
    prints carry personal data, and members use shared PCs in service halls.
    """

    def dispatch(self, request, *args, **kwargs):
        if not is_member(request.user):
            return redirect_to_login(request.get_full_path(), redirect_field_name=REDIRECT_FIELD_NAME)
        self.member = request.user.member
        response = self.member_dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response

    def member_dispatch(self, request, *args, **kwargs):
        """The view proper, once the gate has passed (`self.member` is set)."""
        return super().dispatch(request, *args, **kwargs)


class MemberPageMixin(MemberRequiredMixin):
    """A member page in the frame (templates/member_base.html): the member,
    the current menu entry (`nav`) and what the menu providers add."""

    nav = ""
    # A read-only page whose HTML depends only on what pagecache.page_key
    # holds, and whose tables raise the member's data version, may set this
    # in its own class body: repeat views are then served from the cache.
    # It is not inherited (__init_subclass__).
    page_cache = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Opt-in per view: a subclass of a cached page (its print, a page
        # with a form) shows something else and is not cached unless it says so.
        cls.page_cache = cls.__dict__.get("page_cache", False)

    def member_dispatch(self, request, *args, **kwargs):
        key = pagecache.page_key(request, self.member) if self.page_cache else None
        if key and (cached := pagecache.cached_page(key)) is not None:
            return cached
        response = super().member_dispatch(request, *args, **kwargs)
        if key:
            if isinstance(response, SimpleTemplateResponse):
                response.render()
            pagecache.page_store(key, response)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("member", self.member)
        context.setdefault("nav", self.nav)
        for provider in _menu_providers:
            context.update(provider(self.member, context))
        return context
