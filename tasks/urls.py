from django.urls import path

from tasks import views
from tasks.views import applications

app_name = "tasks"

urlpatterns = [
    path("home/", views.HomeView.as_view(), name="home"),
    path("applications/", applications.ApplicationListView.as_view(), name="applications"),
    path("applications/<int:pk>/", applications.ApplicationDetailView.as_view(), name="application_detail"),
    path(
        "applications/<int:pk>/withdraw/", applications.ApplicationWithdrawView.as_view(), name="application_withdraw"
    ),
    path("applications/withdrawal/", applications.WithdrawalApplyView.as_view(), name="withdrawal_apply"),
    path("applications/loan/", applications.LoanApplyView.as_view(), name="loan_apply"),
]
