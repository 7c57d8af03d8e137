"""The resources of /api/v1/. Thin: each write is one domain service call."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, Organisation, User
from accounts.services import session_is_verified
from accounts.tokens import ScopedTokenAuthentication, TokenHasScope, token_allows
from audit.services import access_record_search
from cases.models import (
    Assessment,
    Case,
    Escalation,
    EscalationStep,
    Evaluation,
    ExitProcedure,
    Intervention,
    ItatAdvice,
    Meeting,
    MeetingAction,
    MeetingAttendee,
    Person,
    PlanVersion,
    TeamMember,
)
from cases.selectors.intake import cases_already_known, known_check_term
from cases.services.assessments import assessment_record
from cases.services.assignments import case_assign, case_change_buddy, case_hand_over
from cases.services.escalations import (
    escalation_open,
    escalation_record_step,
    escalation_resolve,
)
from cases.services.evaluations import evaluation_record
from cases.services.exits import case_record_move, exit_propose, exit_record_itat_advice
from cases.services.intake import (
    case_close_not_included,
    case_register,
    case_sign_notification,
    person_update,
)
from cases.services.meetings import (
    ActionInput,
    AttendeeInput,
    action_mark_done,
    meeting_log,
    meeting_update,
)
from cases.services.mirrored_erasure import person_erase_as_in_source
from cases.services.phases import case_change_phase
from cases.services.plans import (
    InterventionInput,
    intervention_record_progress,
    intervention_remove,
    intervention_update,
    plan_record_itat_advice,
    plan_version_adopt,
    plan_version_create,
    plan_version_update,
)
from cases.services.team import team_member_add, team_member_leave
from pool.models import CaseloadReview, Regisseur

from . import serializers as s
from .base import (
    CASE_NUMBER_ONLY,
    IfMatchUpdateMixin,
    IsSyncClient,
    ServiceCreateMixin,
    StablePagination,
    SyncViewSet,
)
from .feed import EVENT_SCOPE
from .filters import CaseFilter, MeetingFilter, PlanVersionFilter, case_child_filter
from .models import WebhookDelivery, WebhookSubscription
from .permissions import may_manage_webhooks, may_use_sync_api
from .problems import ProblemJSONRenderer  # noqa: F401  (documented error media type)
from .selectors import FeedCursor, changes_since, person_source_client_id
from .services import person_source_record, webhook_subscribe

INTERVENTION_NOT_IN_VERSION = _("Deze interventie hoort niet bij deze versie van het plan.")
ACTION_NOT_IN_MEETING = _("Deze actie hoort niet bij dit overleg.")


def advices(**only: Any) -> Prefetch:
    """ITAT-R advice comes with each plan version and exit procedure: one prefetch per page."""
    advice = ItatAdvice.objects.filter(**only).order_by("given_on", "id")
    return Prefetch("itat_advices", queryset=advice)


FEED_DEFAULT_LIMIT = 200
FEED_MAX_LIMIT = 1000


class OrganisationViewSet(SyncViewSet):
    scope_resource = "organisations"
    queryset = Organisation.objects.all()
    serializer_class = s.OrganisationSerializer
    filterset_fields = ["code", "kind"]


class RegisseurViewSet(SyncViewSet):
    scope_resource = "regisseurs"
    # The name comes from the user: joined, not one query per regisseur.
    queryset = Regisseur.objects.select_related("user")
    serializer_class = s.RegisseurSerializer
    filterset_fields = ["organisation"]


class CaseloadReviewViewSet(SyncViewSet):
    scope_resource = "caseload-reviews"
    queryset = CaseloadReview.objects.all()
    serializer_class = s.CaseloadReviewSerializer
    filterset_fields = ["regisseur"]


class CaseViewSet(ServiceCreateMixin, SyncViewSet):
    scope_resource = "cases"
    write_scopes = ("persons",)
    # The region code is shown: joined.
    queryset = Case.objects.select_related("region")
    serializer_class = s.CaseSerializer
    input_serializer_class = s.CaseInput
    filterset_class = CaseFilter
    audited = True

    def perform_service_create(self, data: dict[str, Any]) -> Case:
        person = data.pop("person")
        case = case_register(**data, **person, by=self.actor)
        # The person record came from this client: only its tokens may erase it (erase/).
        person_source_record(client=self.actor, person=case.person)
        return case

    @extend_schema(request=s.KnownCheckInput, responses=s.KnownCaseSerializer(many=True))
    @action(
        detail=False,
        methods=["post"],
        url_path="already-known",
        pagination_class=None,  # a short answer, not a page of cases
        filter_backends=[],
    )
    def already_known(self, request: Request) -> Response:
        """The cases of the same person (the same BSN, or name and date of birth), as the
        aanmelding page checks before registering (docs/rules.md R-CASE-1): number and
        whether it runs. Logged as a search; a POST, so no BSN travels in a URL."""
        person = self.validated_input(s.KnownCheckInput)
        known = cases_already_known(reader=self.actor, **person)
        access_record_search(
            user=self.actor,
            term=known_check_term(**person),
            result_count=len(known),
            request=request,
        )
        return Response(s.KnownCaseSerializer(known, many=True).data)

    @extend_schema(request=s.PhaseChangeInput, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"])
    def phase(self, request: Request, pk: str | None = None) -> Response:
        """Move the case to another phase (If-Match required); 409 when a rule forbids it."""

        def run(case: Case, data: dict[str, Any]) -> None:
            case_change_phase(case=case, **data, by=self.actor, expected_revision=case.revision)

        return self.action_with_if_match(s.PhaseChangeInput, run)

    @extend_schema(request=s.HandOverInput, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: Request, pk: str | None = None) -> Response:
        """Hand the case over to another regisseur (If-Match required)."""

        def run(case: Case, data: dict[str, Any]) -> None:
            case_hand_over(case=case, **data, by=self.actor, expected_revision=case.revision)

        return self.action_with_if_match(s.HandOverInput, run)

    @extend_schema(request=s.BuddyChangeInput, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"])
    def buddy(self, request: Request, pk: str | None = None) -> Response:
        """Give the case another buddy (If-Match required)."""

        def run(case: Case, data: dict[str, Any]) -> None:
            case_change_buddy(case=case, **data, by=self.actor, expected_revision=case.revision)

        return self.action_with_if_match(s.BuddyChangeInput, run)

    @extend_schema(request=s.MoveInput, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """The person moved to another municipality or abroad: the exit procedure
        opens at once, in any phase (If-Match required)."""

        def run(case: Case, data: dict[str, Any]) -> None:
            case_record_move(case=case, **data, by=self.actor)

        return self.action_with_if_match(s.MoveInput, run)

    @extend_schema(request=s.AssignInput, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """The first assignment of a registered case: regisseur and buddy (If-Match required)."""

        def run(case: Case, data: dict[str, Any]) -> None:
            case_assign(case=case, **data, by=self.actor, expected_revision=case.revision)

        return self.action_with_if_match(s.AssignInput, run)

    @extend_schema(request=s.SignNotificationInput, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"], url_path="sign-notification")
    def sign_notification(self, request: Request, pk: str | None = None) -> Response:
        """The mayor signed the notification letter: the case is in regie (If-Match required)."""

        def run(case: Case, data: dict[str, Any]) -> None:
            case_sign_notification(
                case=case, **data, by=self.actor, expected_revision=case.revision
            )

        return self.action_with_if_match(s.SignNotificationInput, run)

    @extend_schema(request=s.NotIncludedInput, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"], url_path="not-included")
    def not_included(self, request: Request, pk: str | None = None) -> Response:
        """The weighing did not find both criteria: close the registered case as not
        included, with the reasoning (If-Match required; 409 when a rule forbids it)."""

        def run(case: Case, data: dict[str, Any]) -> None:
            case_close_not_included(
                case=case, **data, by=self.actor, expected_revision=case.revision
            )

        return self.action_with_if_match(s.NotIncludedInput, run)


class PersonViewSet(IfMatchUpdateMixin, SyncViewSet):
    scope_resource = "persons"
    http_method_names = ["get", "post", "patch", "head", "options"]
    # The access log names the case: joined.
    queryset = Person.objects.select_related("case")
    serializer_class = s.PersonSerializer
    list_related_fields = CASE_NUMBER_ONLY
    update_serializer_class = s.PersonUpdateInput
    filterset_class = case_child_filter(Person)
    audited = True

    def perform_service_update(self, obj: Any, data: dict[str, Any]) -> Any:
        current = {
            field: getattr(obj, field)
            for field in ("first_name", "last_name", "date_of_birth", "address", "bsn")
        }
        return person_update(
            case=obj.case,
            **{**current, **data},
            by=self.actor,
            expected_revision=obj.case.revision,
        )

    @extend_schema(request=s.ErasureInput, responses=s.PersonSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str | None = None) -> Response:
        """Follow a source instance's erasure: pseudonymise this record (If-Match
        required; a sync client only; 409 when it already is)."""
        # A client erases only the records it brought in, 403 for another's
        # (person_erase_as_in_source; the docstring above is the schema's text).

        def run(person: Person, data: dict[str, Any]) -> None:
            person_erase_as_in_source(
                case=person.case,
                **data,
                by=self.actor,
                source_client_id=person_source_client_id(person_id=person.pk),
                expected_revision=person.case.revision,
            )

        return self.action_with_if_match(s.ErasureInput, run)


class TeamMemberViewSet(ServiceCreateMixin, SyncViewSet):
    scope_resource = "team-members"
    # The access log labels each read member as "name (organisation)": joined.
    queryset = TeamMember.objects.select_related("case", "organisation")
    serializer_class = s.TeamMemberSerializer
    input_serializer_class = s.TeamMemberInput
    filterset_class = case_child_filter(TeamMember)
    audited = True

    def perform_service_create(self, data: dict[str, Any]) -> TeamMember:
        return team_member_add(**data, by=self.actor)

    @extend_schema(request=s.TeamLeaveInput, responses=s.TeamMemberSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str | None = None) -> Response:
        """The professional left the team on ``left_on``; his or her account no longer
        reads the case from that day on (If-Match required)."""

        def run(member: TeamMember, data: dict[str, Any]) -> None:
            team_member_leave(member=member, **data, by=self.actor)

        return self.action_with_if_match(s.TeamLeaveInput, run)


class PlanVersionViewSet(ServiceCreateMixin, IfMatchUpdateMixin, SyncViewSet):
    scope_resource = "plans"
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Interventions come with each version: one prefetch for the page, not one per version.
    queryset = PlanVersion.objects.select_related("case").prefetch_related(
        Prefetch("interventions", queryset=Intervention.objects.order_by("id")),
        advices(subject=ItatAdvice.Subject.PLAN),
    )
    serializer_class = s.PlanVersionSerializer
    list_related_fields = CASE_NUMBER_ONLY
    input_serializer_class = s.PlanVersionInput
    update_serializer_class = s.PlanVersionUpdateInput
    filterset_class = PlanVersionFilter
    audited = True

    def perform_service_create(self, data: dict[str, Any]) -> PlanVersion:
        interventions = [InterventionInput(**i) for i in data.pop("interventions")]
        return plan_version_create(**data, interventions=interventions, by=self.actor)

    def perform_service_update(self, obj: Any, data: dict[str, Any]) -> Any:
        return plan_version_update(
            version=obj, **data, by=self.actor, expected_revision=obj.revision
        )

    @extend_schema(request=s.ItatAdviceInput, responses=s.PlanVersionSerializer)
    @action(detail=True, methods=["post"], url_path="itat-advice")
    def itat_advice(self, request: Request, pk: str | None = None) -> Response:
        """Record ITAT-R's advice on this version (If-Match required)."""

        def run(version: PlanVersion, data: dict[str, Any]) -> None:
            plan_record_itat_advice(
                version=version, **data, by=self.actor, expected_revision=version.revision
            )

        return self.action_with_if_match(s.ItatAdviceInput, run)

    @extend_schema(request=s.AdoptInput, responses=s.PlanVersionSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request: Request, pk: str | None = None) -> Response:
        """Adopt (vaststellen) an advised version (If-Match required); 409 without advice."""

        def run(version: PlanVersion, data: dict[str, Any]) -> None:
            plan_version_adopt(
                version=version, **data, by=self.actor, expected_revision=version.revision
            )

        return self.action_with_if_match(s.AdoptInput, run)

    @extend_schema(request=s.InterventionProgressInput, responses=s.PlanVersionSerializer)
    @action(detail=True, methods=["post"], url_path="intervention-progress")
    def intervention_progress(self, request: Request, pk: str | None = None) -> Response:
        """Record the status and result of one of this version's interventions (If-Match)."""

        def run(version: PlanVersion, data: dict[str, Any]) -> None:
            intervention = version.interventions.filter(pk=data.pop("intervention")).first()
            if intervention is None:
                raise ValidationError({"intervention": INTERVENTION_NOT_IN_VERSION})
            intervention_record_progress(intervention=intervention, **data, by=self.actor)

        return self.action_with_if_match(s.InterventionProgressInput, run)

    @extend_schema(request=s.InterventionUpdateInput, responses=s.PlanVersionSerializer)
    @action(detail=True, methods=["post"], url_path="intervention-update")
    def intervention_update(self, request: Request, pk: str | None = None) -> Response:
        """Change an intervention of this version while it is not adopted (If-Match)."""

        def run(version: PlanVersion, data: dict[str, Any]) -> None:
            intervention = version.interventions.filter(pk=data.pop("intervention")).first()
            if intervention is None:
                raise ValidationError({"intervention": INTERVENTION_NOT_IN_VERSION})
            intervention_update(
                intervention=intervention,
                **data,
                by=self.actor,
                expected_revision=version.revision,
            )

        return self.action_with_if_match(s.InterventionUpdateInput, run)

    @extend_schema(request=s.InterventionRemoveInput, responses=s.PlanVersionSerializer)
    @action(detail=True, methods=["post"], url_path="intervention-remove")
    def intervention_remove(self, request: Request, pk: str | None = None) -> Response:
        """Take an intervention out of this version while it is not adopted (If-Match)."""

        def run(version: PlanVersion, data: dict[str, Any]) -> None:
            intervention = version.interventions.filter(pk=data["intervention"]).first()
            if intervention is None:
                raise ValidationError({"intervention": INTERVENTION_NOT_IN_VERSION})
            intervention_remove(
                intervention=intervention, by=self.actor, expected_revision=version.revision
            )

        return self.action_with_if_match(s.InterventionRemoveInput, run)


class MeetingViewSet(ServiceCreateMixin, IfMatchUpdateMixin, SyncViewSet):
    scope_resource = "meetings"
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Actions come with each meeting: one prefetch for the page.
    queryset = Meeting.objects.select_related("case").prefetch_related(
        Prefetch("actions", queryset=MeetingAction.objects.order_by("id")),
        Prefetch("attendees", queryset=MeetingAttendee.objects.order_by("id")),
    )
    serializer_class = s.MeetingSerializer
    list_related_fields = CASE_NUMBER_ONLY
    input_serializer_class = s.MeetingInput
    update_serializer_class = s.MeetingUpdateInput
    filterset_class = MeetingFilter
    audited = True

    def perform_service_create(self, data: dict[str, Any]) -> Meeting:
        actions = [ActionInput(**a) for a in data.pop("actions")]
        attendees = [AttendeeInput(**a) for a in data.pop("attendees")]
        return meeting_log(**data, attendees=attendees, actions=actions, by=self.actor)

    def perform_service_update(self, obj: Any, data: dict[str, Any]) -> Any:
        return meeting_update(meeting=obj, **data, by=self.actor, expected_revision=obj.revision)

    @extend_schema(request=s.ActionDoneInput, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"], url_path="action-done")
    def action_done(self, request: Request, pk: str | None = None) -> Response:
        """Mark one of this meeting's agreed actions as done (If-Match required)."""

        def run(meeting: Meeting, data: dict[str, Any]) -> None:
            agreed = meeting.actions.filter(pk=data["action"]).first()
            if agreed is None:
                raise ValidationError({"action": ACTION_NOT_IN_MEETING})
            action_mark_done(action=agreed, done_on=data["done_on"], by=self.actor)

        return self.action_with_if_match(s.ActionDoneInput, run)


class AssessmentViewSet(ServiceCreateMixin, SyncViewSet):
    scope_resource = "assessments"
    queryset = Assessment.objects.select_related("case")
    serializer_class = s.AssessmentSerializer
    list_related_fields = CASE_NUMBER_ONLY
    input_serializer_class = s.AssessmentInput
    filterset_class = case_child_filter(Assessment)
    audited = True

    def perform_service_create(self, data: dict[str, Any]) -> Assessment:
        return assessment_record(**data, by=self.actor)


class EvaluationViewSet(ServiceCreateMixin, SyncViewSet):
    scope_resource = "evaluations"
    queryset = Evaluation.objects.select_related("case")
    serializer_class = s.EvaluationSerializer
    list_related_fields = CASE_NUMBER_ONLY
    input_serializer_class = s.EvaluationInput
    filterset_class = case_child_filter(Evaluation)
    audited = True

    def perform_service_create(self, data: dict[str, Any]) -> Evaluation:
        return evaluation_record(**data, by=self.actor)


class ExitProcedureViewSet(ServiceCreateMixin, SyncViewSet):
    scope_resource = "exits"
    queryset = ExitProcedure.objects.select_related("case").prefetch_related(advices())
    serializer_class = s.ExitProcedureSerializer
    list_related_fields = CASE_NUMBER_ONLY
    input_serializer_class = s.ExitProposalInput
    filterset_class = case_child_filter(ExitProcedure)
    audited = True

    def perform_service_create(self, data: dict[str, Any]) -> ExitProcedure:
        return exit_propose(**data, by=self.actor)

    @extend_schema(request=s.ItatAdviceInput, responses=s.ExitProcedureSerializer)
    @action(detail=True, methods=["post"], url_path="itat-advice")
    def itat_advice(self, request: Request, pk: str | None = None) -> Response:
        """Record ITAT-R's advice on this exit proposal (If-Match required)."""

        def run(procedure: ExitProcedure, data: dict[str, Any]) -> None:
            exit_record_itat_advice(
                procedure=procedure, **data, by=self.actor, expected_revision=procedure.revision
            )

        return self.action_with_if_match(s.ItatAdviceInput, run)


class EscalationViewSet(ServiceCreateMixin, SyncViewSet):
    """A stuck case and its escalation steps, through the services of the case pages
    (docs/rules.md R-CASE-11)."""

    scope_resource = "escalations"
    # The steps come with each escalation: one prefetch for the page.
    queryset = Escalation.objects.select_related("case").prefetch_related(
        Prefetch("steps", queryset=EscalationStep.objects.order_by("held_on", "id"))
    )
    serializer_class = s.EscalationSerializer
    list_related_fields = CASE_NUMBER_ONLY
    input_serializer_class = s.EscalationInput
    filterset_class = case_child_filter(Escalation)
    audited = True

    def perform_service_create(self, data: dict[str, Any]) -> Escalation:
        return escalation_open(**data, by=self.actor)

    @extend_schema(request=s.EscalationStepInput, responses=s.EscalationSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request: Request, pk: str | None = None) -> Response:
        """Record a consultation (colleagues, programme team, ITAT-R on the case) or a
        doorbraakoverleg with what it produced (If-Match required); 409 out of order."""

        def run(escalation: Escalation, data: dict[str, Any]) -> None:
            escalation_record_step(
                escalation=escalation, **data, by=self.actor, expected_revision=escalation.revision
            )

        return self.action_with_if_match(s.EscalationStepInput, run)

    @extend_schema(request=s.EscalationResolveInput, responses=s.EscalationSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """The case is no longer stuck: what resolved it (If-Match required)."""

        def run(escalation: Escalation, data: dict[str, Any]) -> None:
            escalation_resolve(
                escalation=escalation, **data, by=self.actor, expected_revision=escalation.revision
            )

        return self.action_with_if_match(s.EscalationResolveInput, run)


# --- the change feed ------------------------------------------------------------------


class ChangeFeedViewSet(viewsets.ViewSet):
    """Changes in transaction order after a cursor, with tombstones, limited to the
    resources the token may read."""

    authentication_classes = [ScopedTokenAuthentication]
    permission_classes = [permissions.IsAuthenticated, IsSyncClient, TokenHasScope]
    scope_resource = "changes"

    @extend_schema(
        parameters=[
            OpenApiParameter("changed_since", str, description="cursor from the previous page"),
            OpenApiParameter("resource", str, many=True, description="only these resources"),
            OpenApiParameter("limit", int, description=f"at most {FEED_MAX_LIMIT}"),
        ],
        responses=s.ChangeFeedSerializer,
    )
    def list(self, request: Request) -> Response:
        token = request.auth
        if not isinstance(token, ApiToken):  # IsSyncClient let only tokens through
            raise NotAuthenticated
        cursor = FeedCursor.decode(request.query_params.get("changed_since"))
        readable = {
            r for r, scope in EVENT_SCOPE.items() if token_allows(token, scope, write=False)
        }
        wanted = set(request.query_params.getlist("resource")) or readable
        try:
            limit = min(int(request.query_params.get("limit", FEED_DEFAULT_LIMIT)), FEED_MAX_LIMIT)
        except ValueError:
            limit = FEED_DEFAULT_LIMIT
        events = changes_since(cursor=cursor, resources=wanted & readable, limit=max(limit, 1))
        next_cursor = FeedCursor(events[-1].xact_id, events[-1].pk) if events else cursor
        return Response(
            {
                "results": s.ChangeEventSerializer(events, many=True).data,
                "next_cursor": next_cursor.encode(),
                "has_more": len(events) == max(limit, 1),
            }
        )


# --- webhooks -------------------------------------------------------------------------


class IsProgrammeTeamOrSyncClient(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        if isinstance(request.auth, ApiToken):
            return may_use_sync_api(request.user)
        # /api/ is open before the second factor (accounts.middleware): check it here.
        return may_manage_webhooks(request.user) and session_is_verified(request.user)


class WebhookSubscriptionViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, SyncViewSet):
    scope_resource = "webhooks"
    serializer_class = s.WebhookSubscriptionSerializer
    input_serializer_class = s.WebhookSubscriptionInput
    queryset = WebhookSubscription.objects.all()

    def get_queryset(self):
        return WebhookSubscription.objects.filter(client=cast(User, self.request.user))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input(s.WebhookSubscriptionInput)
        subscription = webhook_subscribe(client=request.user, token=request.auth, **data)
        body = s.WebhookSubscriptionSerializer(subscription, context={"show_secret": True}).data
        return Response(body, status=201)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        subscription.is_active = False
        subscription.save(update_fields=["is_active"])
        return Response(status=204)


class WebhookDeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Deliveries and their answers: a client sees its own, the programme team all."""

    authentication_classes = [
        ScopedTokenAuthentication,
        *viewsets.GenericViewSet.authentication_classes,
    ]
    permission_classes = [permissions.IsAuthenticated, IsProgrammeTeamOrSyncClient, TokenHasScope]
    scope_resource = "webhooks"
    serializer_class = s.WebhookDeliverySerializer
    pagination_class = StablePagination
    filterset_fields = ["status", "subscription"]

    def get_queryset(self):
        # The event is shown with each delivery: joined.
        deliveries = WebhookDelivery.objects.select_related("event")
        if isinstance(self.request.auth, ApiToken):
            return deliveries.filter(subscription__client=cast(User, self.request.user))
        return deliveries
