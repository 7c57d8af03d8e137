from django.urls import path  # noqa: F401  (patterns are added by the dashboard and the monitor)

app_name = "monitoring"

urlpatterns: list = []
