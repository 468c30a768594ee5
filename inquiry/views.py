"""Member pages of the center's records."""

from django.views.generic import TemplateView

from accounts.mixins import MemberRequiredMixin
from inquiry import selectors
from tasks import selectors as task_selectors


class HomeView(MemberRequiredMixin, TemplateView):
    """个人业务首页面: task area on top, 我的公积金 bottom-left, 我的贷款 bottom-right."""

    template_name = "inquiry/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summary = selectors.home_summary(member=self.member)
        size = task_selectors.HOME_LIST_SIZE
        unread = task_selectors.messages_unread(member=self.member)
        context.update(
            member=self.member,
            account=summary.account,
            loans=summary.loans,
            unread_messages=list(unread[:size]),
            unread_count=unread.count(),
            read_messages=list(task_selectors.messages_read(member=self.member)[:size]),
        )
        return context
