from django.urls import path

from . import views

app_name = "pool"

urlpatterns = [
    path("", views.regisseur_list, name="regisseur_list"),
    path("toevoegen/", views.regisseur_add, name="regisseur_add"),
    path("<int:pk>/", views.regisseur_detail, name="regisseur_detail"),
    path("<int:pk>/wijzigen/", views.regisseur_edit, name="regisseur_edit"),
    path("<int:pk>/beeindigen/", views.regisseur_end, name="regisseur_end"),
    path("<int:pk>/afwezigheid/", views.absence_add, name="absence_add"),
    path("afwezigheid/<int:pk>/", views.absence_edit, name="absence_edit"),
    path("afwezigheid/<int:pk>/beeindigen/", views.absence_end, name="absence_end"),
    path("caseloadbesprekingen/", views.review_list, name="review_list"),
    path("caseloadbesprekingen/nieuw/", views.review_add, name="review_add"),
    path("caseloadbesprekingen/<int:pk>/", views.review_detail, name="review_detail"),
    path("driegesprekken/", views.talk_list, name="talk_list"),
    path("driegesprekken/nieuw/", views.talk_add, name="talk_add"),
    path("driegesprekken/<int:pk>/", views.talk_detail, name="talk_detail"),
    path("teamritme/", views.team_activity_list, name="team_activity_list"),
    path("teamritme/nieuw/", views.team_activity_add, name="team_activity_add"),
    path("teamritme/<int:pk>/", views.team_activity_detail, name="team_activity_detail"),
    path("teamritme/<int:pk>/aanwezigheid/", views.attendance_set, name="attendance_set"),
    path("besluiten/", views.decision_list, name="decision_list"),
    path("besluiten/nieuw/", views.decision_add, name="decision_add"),
    path("mijn-organisatie/", views.manager_figures, name="manager"),
]
