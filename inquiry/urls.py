from django.urls import path

from inquiry import views

app_name = "inquiry"

urlpatterns = [
    path("home/", views.HomeView.as_view(), name="home"),
]
