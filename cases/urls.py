from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.csv", views.export, name="export"),
    path("selecties/", views.saved_view_add, name="saved_view_add"),
    path("selecties/<int:pk>/verwijderen/", views.saved_view_remove, name="saved_view_remove"),
    path("noodtoegang/", views.emergency_open, name="emergency_open"),
    path("uitstroomvoorstellen/", views.exit_decisions, name="exit_decisions"),
    path("overdracht/<int:regisseur_id>/", views.bulk_handover, name="bulk_handover"),
    path("aanmelden/", views.case_register_page, name="register"),
    path("<int:pk>/", views.case_page, name="detail"),
    path("<int:pk>/niet-opgenomen/", views.not_included, name="not_included"),
    path("<int:pk>/toewijzen/", views.assign, name="assign"),
    path("<int:pk>/notificatiebrief/", views.notification, name="notification"),
    path("<int:pk>/persoon/", views.person_page, name="person"),
    path("<int:pk>/delen/", views.share, name="share"),
    path("<int:pk>/uvo/", views.meeting_new, name="meeting_new"),
    path("<int:pk>/plan/nieuw/", views.plan_new, name="plan_new"),
    path("<int:pk>/plan/vergelijken/", views.plan_compare, name="plan_compare"),
    path("<int:pk>/plan/<int:version_id>/", views.plan_version, name="plan_version"),
    path("<int:pk>/fase/", views.phase_change, name="phase_change"),
    path("<int:pk>/uitstroom/", views.exit_propose_page, name="exit_propose"),
    path(
        "<int:pk>/uitstroom/<int:procedure_id>/advies/",
        views.exit_step,
        {"step": "advies"},
        name="exit_advice",
    ),
    path(
        "<int:pk>/uitstroom/<int:procedure_id>/intrekken/",
        views.exit_step,
        {"step": "intrekken"},
        name="exit_withdraw",
    ),
    path(
        "<int:pk>/interventie/<int:intervention_id>/voortgang/",
        views.intervention_progress,
        name="intervention_progress",
    ),
    path("<int:pk>/uvo/actie/<int:action_id>/afgerond/", views.action_done, name="action_done"),
    path("<int:pk>/weging/", views.assessment_new, name="assessment_new"),
    path("<int:pk>/evaluatie/", views.evaluation_new, name="evaluation_new"),
    path("<int:pk>/overdracht/", views.hand_over, name="hand_over"),
    path("<int:pk>/persoon/wissen/", views.erase_person, name="erase_person"),
    # Changes along the way (cases/views/changes.py)
    path("<int:pk>/team/", views.team, name="team"),
    path("<int:pk>/team/<int:member_id>/vertrek/", views.team_leave, name="team_leave"),
    path("<int:pk>/buddy/", views.buddy_change, name="buddy_change"),
    path("<int:pk>/persoon/corrigeren/", views.person_edit, name="person_edit"),
    path("<int:pk>/verhuizing/", views.move, name="move"),
    path(
        "<int:pk>/interventie/<int:intervention_id>/wijzigen/",
        views.intervention_edit,
        name="intervention_edit",
    ),
    path(
        "<int:pk>/interventie/<int:intervention_id>/verwijderen/",
        views.intervention_delete,
        name="intervention_delete",
    ),
    path("<int:pk>/vastgelopen/", views.escalation_new, name="escalation_new"),
    path(
        "<int:pk>/vastgelopen/<int:escalation_id>/stap/",
        views.escalation_step,
        name="escalation_step",
    ),
    path(
        "<int:pk>/vastgelopen/<int:escalation_id>/vlotgetrokken/",
        views.escalation_resolve_page,
        name="escalation_resolve",
    ),
]

# Mounted at noodtoegang/ (ipgar/urls.py): the programme team's review of emergency accesses.
review_urlpatterns = [
    path("", views.emergency_reviews, name="list"),
]
