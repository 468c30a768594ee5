from django.urls import path

from tasks import views

app_name = "tasks"

urlpatterns = [
    path("home/", views.HomeView.as_view(), name="home"),
]
