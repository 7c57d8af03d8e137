from django.urls import path  # noqa: F401  (pool management pages add their patterns here)

app_name = "pool"

urlpatterns: list = []
