from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.access_log, name="log"),
    path("export.csv", views.access_log_export, name="log_export"),
    path(
        "casus/<int:case_id>/inzageverzoek.csv",
        views.subject_access_export,
        name="subject_access_export",
    ),
]
