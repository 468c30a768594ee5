from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.MemberLoginView.as_view(), name="login"),
    path("logout/", views.LogoutConfirmView.as_view(), name="logout_confirm"),
    path("logout/confirm/", views.MemberLogoutView.as_view(), name="logout"),
]
