"""The personal home page (个人业务首页面)."""

from django.conf import settings
from django.views.generic import TemplateView

from inquiry import charts
from inquiry import selectors as records
from tasks import selectors
from tasks.selectors.applications import home_applications
from zzgjj_portal.frame import MemberPageMixin


class HomeView(MemberPageMixin, TemplateView):
    """个人业务首页面: the task area (消息 · 我发起的 · 已阅) on top, 我的公积金
    bottom-left and 我的贷款 bottom-right (read through the records' selectors)."""

    template_name = "tasks/home.html"
    nav = "home"
    page_cache = True

    def get_context_data(self, **kwargs):
        summary = records.home_summary(member=self.member)
        tasks = selectors.home_tasks(member=self.member)
        account = summary.account
        if settings.INQUIRY_CHARTS and account is not None and not account.discrepancy:
            # 我的公积金's sparkline: the last 24 months' month-end balance (one query).
            months = records.ledger_recent_months(member=self.member)
            if months:
                kwargs["balance_spark"] = charts.balance_line(
                    [m.period for m in months], [m.balance for m in months], spark=True
                )
        return super().get_context_data(
            account=summary.account,
            loans=summary.loans,
            has_loans=bool(summary.loans),
            unread_messages=tasks.unread,
            unread_count=tasks.unread_count,
            newest_unread_id=tasks.newest_unread_id,
            read_messages=tasks.read,
            applications=home_applications(member=self.member),
            **kwargs,
        )
