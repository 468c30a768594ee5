from django.urls import path

from accounts import flows, views

app_name = "accounts"

R, F = flows.REGISTER, flows.RESET

urlpatterns = [
    path("", views.MemberLoginView.as_view(), name="login"),
    path("logout/", views.LogoutConfirmView.as_view(), name="logout_confirm"),
    path("logout/confirm/", views.MemberLogoutView.as_view(), name="logout"),
    path("elder-mode/", views.elder_mode_switch, name="elder_mode"),
    # 注册
    path("register/", views.IdentityView.as_view(flow=R), name="register"),
    path("register/sms/", views.SmsStepView.as_view(flow=R), name="register_sms"),
    path("register/password/", views.PasswordStepView.as_view(flow=R), name="register_password"),
    path("register/done/", views.FlowDoneView.as_view(flow=R), name="register_done"),
    # 忘记密码
    path("password/forgot/", views.IdentityView.as_view(flow=F), name="password_forgot"),
    path("password/forgot/sms/", views.SmsStepView.as_view(flow=F), name="password_forgot_sms"),
    path("password/forgot/new/", views.PasswordStepView.as_view(flow=F), name="password_forgot_new"),
    path("password/forgot/done/", views.FlowDoneView.as_view(flow=F), name="password_forgot_done"),
    # 修改密码
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
