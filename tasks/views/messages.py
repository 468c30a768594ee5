"""消息 and 已阅: the lists behind 更多, 查看, 标为已阅, 删除, and 关闭音效.

Every action is a plain link or POST form that redirects back with a notice
(Django messages); messages.js posts the same forms with fetch and asks for
JSON (`Accept: application/json`) to update the page without a reload.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from tasks import selectors, services
from zzgjj_portal.frame import MemberPageMixin, MemberRequiredMixin
from zzgjj_portal.pagination import PAGE_SIZE, paginate

NOTICE_READ = "已标记为已阅"
NOTICE_DELETED = "消息已删除"
NOTICE_SOUND_ON = "已开启音效"
NOTICE_SOUND_OFF = "已关闭音效"
NOTICE_BAD_SOUND = "音效设置无效,请重试。"


def back_url(request, default: str) -> str:
    """Where to go after an action: the page it came from (`next`), if it is
    ours; anything else (another host, a scheme) falls back to `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def wants_json(request) -> bool:
    """messages.js asks for JSON; a plain form submission gets a redirect."""
    return "application/json" in request.headers.get("Accept", "")


def answer(request, notice: str, **data):
    """The end of every action: JSON for fetch, else the notice and a redirect back."""
    if wants_json(request):
        return JsonResponse({"notice": notice, **data})
    messages.success(request, notice)
    return HttpResponseRedirect(back_url(request, reverse("tasks:home")))


class MessageListView(MemberPageMixin, TemplateView):
    """更多: all unread (消息) or read (已阅) messages, 20 a page, with the same actions."""

    template_name = "tasks/message_list.html"
    nav = "home"
    page_cache = True
    read = False

    def get(self, request, *args, **kwargs):
        rows = (
            selectors.messages_read(member=self.member) if self.read else selectors.messages_unread(member=self.member)
        )
        try:
            self.page_obj = paginate(request, rows)
        except Http404:
            # After deleting the last row of the last page, the page we return
            # to no longer exists: show the new last page instead of a 404.
            page = request.GET.get("page", "")
            # isascii: "²" is a digit to isdigit() but not to int().
            if not (page.isascii() and page.isdigit()) or int(page) <= 1:
                raise
            last = Paginator(rows, PAGE_SIZE).num_pages
            return redirect(f"{request.path}?page={last}" if last > 1 else request.path)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            read=self.read,
            page_obj=self.page_obj,
            messages_list=self.page_obj.object_list,
            title="已阅" if self.read else "消息",
            **kwargs,
        )


class MessageDetailView(MemberPageMixin, TemplateView):
    """查看 without JavaScript: the whole message with 关闭 (and 标为已阅 while unread)."""

    template_name = "tasks/message_detail.html"
    nav = "home"

    def get_context_data(self, **kwargs):
        message = selectors.message_get_for_member(member=self.member, pk=self.kwargs["pk"])
        return super().get_context_data(message=message, back=back_url(self.request, reverse("tasks:home")), **kwargs)


class MessageMarkReadView(MemberRequiredMixin, View):
    """标为已阅 (POST only)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        message = selectors.message_get_for_member(member=self.member, pk=pk)
        services.message_mark_read(member=self.member, message=message)
        return answer(request, NOTICE_READ, unread_count=selectors.messages_unread(member=self.member).count())


class MessageDeleteView(MemberPageMixin, TemplateView):
    """删除: GET asks 是/否 (the page behind the link without JavaScript), POST deletes."""

    template_name = "tasks/message_delete.html"
    nav = "home"

    def get_context_data(self, **kwargs):
        message = selectors.message_get_for_member(member=self.member, pk=self.kwargs["pk"])
        return super().get_context_data(message=message, back=back_url(self.request, reverse("tasks:home")), **kwargs)

    def post(self, request, pk: int):
        message = selectors.message_get_for_member(member=self.member, pk=pk)
        services.message_delete(member=self.member, message=message)
        return answer(request, NOTICE_DELETED, unread_count=selectors.messages_unread(member=self.member).count())


class SoundView(MemberRequiredMixin, View):
    """关闭音效 / 开启音效 (POST only): the wanted state, saved on the login identity."""

    http_method_names = ["post"]

    def post(self, request):
        wanted = request.POST.get("sound")
        if wanted not in ("on", "off"):
            if wants_json(request):
                return JsonResponse({"notice": NOTICE_BAD_SOUND}, status=400)
            messages.error(request, NOTICE_BAD_SOUND)
            return HttpResponseRedirect(back_url(request, reverse("tasks:home")))
        services.sound_set(user=request.user, on=wanted == "on")
        return answer(request, NOTICE_SOUND_ON if wanted == "on" else NOTICE_SOUND_OFF, sound_on=wanted == "on")
