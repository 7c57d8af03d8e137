from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("nieuw/", views.document_upload, name="upload"),
    path("<int:document_id>/versie/", views.document_add_version, name="add_version"),
    path("<int:document_id>/verwijderen/", views.document_remove, name="remove"),
    path(
        "<int:document_id>/versie/<int:version_id>/download/",
        views.document_download,
        name="download",
    ),
    path("maken/plan/<int:version_id>/", views.generate_plan, name="generate_plan"),
    path("maken/uvo-verslag/", views.generate_minutes, name="generate_minutes"),
    path("maken/overdrachtsdossier/", views.generate_handover, name="generate_handover"),
]
