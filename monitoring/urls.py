from django.urls import path

from .views import dashboard

app_name = "monitoring"

urlpatterns: list = [
    path("", dashboard.dashboard, name="dashboard"),
]
