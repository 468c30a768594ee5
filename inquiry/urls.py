from django.urls import path

from inquiry import views
from inquiry.certificates import views as certificate_views

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
    path("certificates/", certificate_views.CertificateListView.as_view(), name="certificates"),
    path("certificates/deposit/", certificate_views.DepositCertificateIssueView.as_view(), name="certificate_deposit"),
    path(
        "certificates/loan-settled/",
        certificate_views.LoanSettledCertificateIssueView.as_view(),
        name="certificate_loan_settled",
    ),
    path("certificates/ledger/", certificate_views.LedgerCertificateIssueView.as_view(), name="certificate_ledger"),
    path("certificates/annual/", certificate_views.AnnualCertificateIssueView.as_view(), name="certificate_annual"),
    path("certificates/<int:pk>/pdf/", certificate_views.CertificateDownloadView.as_view(), name="certificate_pdf"),
    path("certificates/<int:pk>/void/", certificate_views.CertificateVoidView.as_view(), name="certificate_void"),
    # Public: anyone holding a certificate checks it here (no login).
    path("verify/", certificate_views.VerifyView.as_view(), name="verify"),
    path("verify/file/", certificate_views.VerifyUploadView.as_view(), name="verify_upload"),
]
