from django.urls import path

from tasks import views
from tasks.views import applications

app_name = "tasks"

urlpatterns = [
    path("home/", views.HomeView.as_view(), name="home"),
    path("messages/", views.MessageListView.as_view(), name="messages_unread"),
    path("messages/read/", views.MessageListView.as_view(read=True), name="messages_read"),
    path("messages/<int:pk>/", views.MessageDetailView.as_view(), name="message_detail"),
    path("messages/<int:pk>/mark-read/", views.MessageMarkReadView.as_view(), name="message_mark_read"),
    path("messages/<int:pk>/delete/", views.MessageDeleteView.as_view(), name="message_delete"),
    path("sound/", views.SoundView.as_view(), name="sound"),
    path("applications/", applications.ApplicationListView.as_view(), name="applications"),
    path("applications/<int:pk>/", applications.ApplicationDetailView.as_view(), name="application_detail"),
    path(
        "applications/<int:pk>/withdraw/", applications.ApplicationWithdrawView.as_view(), name="application_withdraw"
    ),
    path("applications/withdrawal/", applications.WithdrawalApplyView.as_view(), name="withdrawal_apply"),
    path("applications/loan/", applications.LoanApplyView.as_view(), name="loan_apply"),
]
