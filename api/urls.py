from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from documents.api import DocumentViewSet

from . import views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("regisseurs", views.RegisseurViewSet, basename="regisseur")
router.register("cases", views.CaseViewSet, basename="case")
router.register("persons", views.PersonViewSet, basename="person")
router.register("team-members", views.TeamMemberViewSet, basename="team-member")
router.register("plans", views.PlanVersionViewSet, basename="plan")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("evaluations", views.EvaluationViewSet, basename="evaluation")
router.register("exits", views.ExitProcedureViewSet, basename="exit")
router.register("escalations", views.EscalationViewSet, basename="escalation")
router.register("caseload-reviews", views.CaseloadReviewViewSet, basename="caseload-review")
router.register("changes", views.ChangeFeedViewSet, basename="change")
router.register("documents", DocumentViewSet, basename="document")
router.register("webhooks", views.WebhookSubscriptionViewSet, basename="webhook")
router.register("webhook-deliveries", views.WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(urlconf="api.urls"), name="schema"),
    path("schema/swagger/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
