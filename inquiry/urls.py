from django.urls import path

from inquiry import views

app_name = "inquiry"

urlpatterns = [
    path("info/", views.BasicInfoView.as_view(), name="basic_info"),
    path("ledger/", views.LedgerView.as_view(), name="ledger"),
    path("loans/progress/", views.LoanProgressView.as_view(), name="loan_progress"),
    path("loans/info/", views.LoanInfoView.as_view(), name="loan_info"),
    path("loans/repayments/", views.RepaymentListView.as_view(), name="repayments"),
    path("loans/plan/", views.RepaymentPlanView.as_view(), name="plan"),
    path("loans/prepay/", views.PrepaymentTrialView.as_view(), name="prepay_trial"),
    path("loans/plan/print/", views.RepaymentPlanPrintView.as_view(), name="plan_print"),
]
