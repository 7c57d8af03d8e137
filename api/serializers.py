"""Representations (read) and inputs (write) of the API's resources.

Reads are ModelSerializers over the domain models; writes are plain serializers
whose validated data go, field for field, to a domain service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organisation, User
from cases.models import (
    Assessment,
    Case,
    Escalation,
    EscalationStep,
    Evaluation,
    ExitGround,
    ExitProcedure,
    Intervention,
    ItatAdvice,
    Meeting,
    MeetingAction,
    MeetingAttendee,
    Person,
    Pillar,
    PlanVersion,
    TeamMember,
)
from cases.sections import Section
from cases.services.plans import INTERVENTION_PILLAR_REQUIRED
from pool.models import CaseloadReview, Region, Regisseur

from .models import ChangeEvent, WebhookDelivery, WebhookSubscription

if TYPE_CHECKING:  # django-stubs' type of a lazy translation
    from django.utils.functional import _StrPromise

# A missing, empty or unknown pillar gets the one Dutch message the plan form gives.
PILLAR_ERRORS: dict[str, str | _StrPromise] = {
    "required": INTERVENTION_PILLAR_REQUIRED,
    "null": INTERVENTION_PILLAR_REQUIRED,
    "blank": INTERVENTION_PILLAR_REQUIRED,
    "invalid_choice": INTERVENTION_PILLAR_REQUIRED,
}


class ExternalIdMixin(serializers.Serializer):
    """``external_id``: the requesting client's own id for the object, if it gave one."""

    external_id = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_external_id(self, obj: Any) -> str | None:
        ids = self.context.get("external_ids", {})
        return ids.get((ContentType.objects.get_for_model(obj).pk, obj.pk))


class OrganisationSerializer(ExternalIdMixin, serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "external_id", "code", "name", "kind"]


class RegisseurSerializer(ExternalIdMixin, serializers.ModelSerializer):
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = Regisseur
        fields = [
            "id",
            "external_id",
            "name",
            "organisation",
            "fte",
            "region_restriction",
            "remark",
            "active_from",
            "active_until",
            "revision",
            "updated_at",
        ]


class CaseSerializer(ExternalIdMixin, serializers.ModelSerializer):
    region: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "external_id",
            "number",
            "region",
            "registered_on",
            "referred_by",
            "interpretation",
            "preliminary_findings",
            "notification_signed_on",
            "notification_signed_by",
            "phase",
            "phase_since",
            "status",
            "regisseur",
            "regisseur_since",
            "buddy",
            "exited_on",
            "not_included_on",
            "not_included_reason",
            "revision",
            "updated_at",
        ]


class PersonSerializer(ExternalIdMixin, serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "external_id",
            "case",
            "first_name",
            "last_name",
            "date_of_birth",
            "address",
            "bsn",
            "pseudonymised_at",
            "updated_at",
        ]


class TeamMemberSerializer(ExternalIdMixin, serializers.ModelSerializer):
    class Meta:
        model = TeamMember
        fields = [
            "id",
            "external_id",
            "case",
            "name",
            "organisation",
            "role",
            "sharing_basis",
            "user",
            "joined_on",
            "left_on",
        ]


class InterventionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Intervention
        fields = [
            "id",
            "lineage",
            "description",
            "pillar",
            "responsible_organisation",
            "deadline",
            "status",
            "result",
            "frozen",
            "updated_at",
        ]


class ItatAdviceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ItatAdvice
        fields = ["id", "plan_version", "given_on", "recommendation", "advice"]


class PlanVersionSerializer(ExternalIdMixin, serializers.ModelSerializer):
    interventions = InterventionSerializer(many=True, read_only=True)
    itat_advices = ItatAdviceSerializer(many=True, read_only=True)

    class Meta:
        model = PlanVersion
        fields = [
            "id",
            "external_id",
            "case",
            "number",
            "based_on",
            "status",
            "concerns",
            "goals",
            "course",
            "joint_task",
            "focus",
            "explanation",
            "created_at",
            "adopted_on",
            "revision",
            "interventions",
            "itat_advices",
        ]


class MeetingActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingAction
        fields = ["id", "description", "owner_organisation", "due_on", "done_on"]


class MeetingAttendeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingAttendee
        fields = ["id", "name", "organisation", "team_member"]


class MeetingSerializer(ExternalIdMixin, serializers.ModelSerializer):
    actions = MeetingActionSerializer(many=True, read_only=True)
    attendees = MeetingAttendeeSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "external_id",
            "case",
            "held_on",
            "kind",
            "first_uvo_part",
            "person_attended",
            "agenda",
            "development",
            "decisions",
            "exit_in_sight",
            "revision",
            "created_at",
            "attendees",
            "actions",
        ]


class AssessmentSerializer(ExternalIdMixin, serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = [
            "id",
            "external_id",
            "case",
            "assessed_on",
            "care_criterion",
            "safety_criterion",
            "risk_level",
            "reasoning",
            "created_at",
        ]


class EvaluationSerializer(ExternalIdMixin, serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = [
            "id",
            "external_id",
            "case",
            "kind",
            "held_on",
            "plan_version",
            "assessment",
            "findings",
            "exit_possible",
            "created_at",
        ]


class ExitProcedureSerializer(ExternalIdMixin, serializers.ModelSerializer):
    itat_advices = ItatAdviceSerializer(many=True, read_only=True)

    class Meta:
        model = ExitProcedure
        fields = [
            "id",
            "external_id",
            "case",
            "status",
            "ground",
            "handover_organisation",
            "destination",
            "municipality_contact",
            "information_weighing",
            "ground_explanation",
            "opened_on",
            "team_judgement",
            "team_judgement_on",
            "decision",
            "decided_on",
            "decision_reasoning",
            "revision",
            "itat_advices",
        ]


class CaseloadReviewSerializer(ExternalIdMixin, serializers.ModelSerializer):
    class Meta:
        model = CaseloadReview
        fields = [
            "id",
            "external_id",
            "regisseur",
            "held_on",
            "progress",
            "content",
            "registration",
            "requirements",
            "assignments",
            "caseload_snapshot",
            "created_at",
        ]


class EscalationStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationStep
        fields = ["id", "kind", "held_on", "participants", "outcome", "meeting"]


class EscalationSerializer(ExternalIdMixin, serializers.ModelSerializer):
    """A stuck case (docs/rules.md R-CASE-11) with its steps, oldest first; a
    doorbraakoverleg's ``meeting`` is the meeting the step recorded with it."""

    steps = EscalationStepSerializer(many=True, read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "external_id",
            "case",
            "status",
            "stuck_since",
            "what_is_stuck",
            "team_attempts",
            "resolved_on",
            "resolution",
            "revision",
            "steps",
        ]


# --- field groups: which token scope reads which fields -------------------------------


@dataclass(frozen=True)
class FieldGroup:
    """The fields of one resource's representation, read under one token scope.

    Only sync clients use the API (api/base.py ``IsSyncClient``): a person, an
    intervention-team member included, gets 401 on every resource and reads the
    case pages, whose sections cases/sections.py decides. For a sync client the
    token's scopes (accounts/tokens.py) are the field groups: a representation is
    one group, read under its resource's scope, with its nested lists (a plan's
    interventions and ITAT-R advice on the plan, a meeting's attendees and actions,
    an exit procedure's ITAT-R advice). A token without the scope gets 403 on the
    list and on the detail alike; ids of records in another group (an evaluation's
    assessment) name them without showing them. ``section`` is the case page's
    section that shows the same data to people (docs/adr/0010-field-level-access.md).
    """

    resource: str
    serializer: type[serializers.ModelSerializer]
    section: Section | None = None

    @property
    def scope(self) -> str:
        return f"{self.resource}:read"

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.serializer.Meta.fields)


FIELD_GROUPS: tuple[FieldGroup, ...] = (
    FieldGroup("organisations", OrganisationSerializer),
    FieldGroup("regisseurs", RegisseurSerializer),
    FieldGroup("caseload-reviews", CaseloadReviewSerializer),
    FieldGroup("cases", CaseSerializer, Section.SUMMARY),
    FieldGroup("persons", PersonSerializer, Section.PERSON),
    FieldGroup("team-members", TeamMemberSerializer, Section.TEAM),
    FieldGroup("plans", PlanVersionSerializer, Section.PLAN),
    FieldGroup("meetings", MeetingSerializer, Section.MEETINGS),
    FieldGroup("assessments", AssessmentSerializer, Section.ASSESSMENTS),
    FieldGroup("evaluations", EvaluationSerializer, Section.EVALUATIONS),
    FieldGroup("exits", ExitProcedureSerializer, Section.EXIT),
    FieldGroup("escalations", EscalationSerializer, Section.ESCALATIONS),
)


# --- inputs ---------------------------------------------------------------------------


class ExternalIdInput(serializers.Serializer):
    external_id = serializers.CharField(max_length=200, required=False)


class PersonInput(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, allow_blank=True)
    last_name = serializers.CharField(max_length=150, allow_blank=True)
    date_of_birth = serializers.DateField(allow_null=True, required=False, default=None)
    address = serializers.CharField(allow_blank=True, required=False, default="")
    bsn = serializers.CharField(max_length=9, allow_blank=True, required=False, default="")


class CaseInput(ExternalIdInput):
    number = serializers.CharField(max_length=20)
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    registered_on = serializers.DateField()
    person = PersonInput()
    # The intake (docs/rules.md R-CASE-1): the referring kernpartner, the duiding and
    # what the voortraject gathered; written here, read on the case's person page.
    referred_by = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), allow_null=True, required=False, default=None
    )
    interpretation = serializers.CharField(allow_blank=True, required=False, default="")
    preliminary_findings = serializers.CharField(allow_blank=True, required=False, default="")


class KnownCheckInput(serializers.Serializer):
    """The person to look for: a BSN, or a name with a date of birth (or both)."""

    bsn = serializers.CharField(max_length=9, allow_blank=True, required=False, default="")
    first_name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False, default="")
    date_of_birth = serializers.DateField(allow_null=True, required=False, default=None)


class KnownCaseSerializer(serializers.Serializer):
    """A case of the same person: its id, number and whether it runs, nothing more."""

    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    is_open = serializers.BooleanField()


class PersonUpdateInput(PersonInput):
    pass


class PhaseChangeInput(serializers.Serializer):
    to_phase = serializers.IntegerField(min_value=1, max_value=3)
    reason = serializers.CharField()
    on = serializers.DateField()


class HandOverInput(serializers.Serializer):
    to_regisseur = serializers.PrimaryKeyRelatedField(queryset=Regisseur.objects.all())
    # Needed when the case goes to its buddy: the case's next buddy.
    new_buddy = serializers.PrimaryKeyRelatedField(
        queryset=Regisseur.objects.all(), allow_null=True, required=False, default=None
    )
    reason = serializers.CharField()
    on = serializers.DateField()


class BuddyChangeInput(serializers.Serializer):
    to_buddy = serializers.PrimaryKeyRelatedField(queryset=Regisseur.objects.all())
    reason = serializers.CharField()
    on = serializers.DateField()


class TeamLeaveInput(serializers.Serializer):
    left_on = serializers.DateField()


class MoveInput(serializers.Serializer):
    destination = serializers.CharField(max_length=200)
    abroad = serializers.BooleanField()
    moved_on = serializers.DateField()
    # Within the Netherlands: the contact with the new municipality (warm hand-over).
    municipality_contact = serializers.CharField(allow_blank=True, required=False, default="")
    # Abroad: the police/OM's weighing of passing information on.
    information_weighing = serializers.CharField(allow_blank=True, required=False, default="")


class InterventionUpdateInput(serializers.Serializer):
    intervention = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    description = serializers.CharField(required=False)
    pillar = serializers.ChoiceField(
        choices=Pillar.choices, required=False, error_messages=PILLAR_ERRORS
    )
    responsible_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False
    )
    deadline = serializers.DateField(required=False)


class InterventionRemoveInput(serializers.Serializer):
    intervention = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ErasureInput(serializers.Serializer):
    reason = serializers.CharField()


class AssignInput(serializers.Serializer):
    regisseur = serializers.PrimaryKeyRelatedField(queryset=Regisseur.objects.all())
    buddy = serializers.PrimaryKeyRelatedField(queryset=Regisseur.objects.all())
    reason = serializers.CharField()
    on = serializers.DateField()


class SignNotificationInput(serializers.Serializer):
    signed_on = serializers.DateField()
    # Who signed: the mayor, or who signed on the mayor's behalf.
    signed_by = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class NotIncludedInput(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField()


class ItatAdviceInput(serializers.Serializer):
    given_on = serializers.DateField()
    recommendation = serializers.ChoiceField(choices=ItatAdvice.Recommendation.choices)
    advice = serializers.CharField()


class AdoptInput(serializers.Serializer):
    adopted_on = serializers.DateField()


class InterventionProgressInput(serializers.Serializer):
    intervention = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=Intervention.Status.choices)
    result = serializers.CharField(allow_blank=True, required=False, default="")


class ActionDoneInput(serializers.Serializer):
    action = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    done_on = serializers.DateField()


class CaseChildInput(ExternalIdInput):
    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.all())


class TeamMemberInput(CaseChildInput):
    name = serializers.CharField(max_length=200)
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    role = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    # The basis for sharing information with the professional (required by the service).
    sharing_basis = serializers.CharField()
    # The professional's own ipgar account, when he or she has one: it reads the case.
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), allow_null=True, required=False, default=None
    )
    joined_on = serializers.DateField()


class InterventionInput(serializers.Serializer):
    description = serializers.CharField()
    # Every intervention written now names its pillar (docs/rules.md R-MON-2).
    pillar = serializers.ChoiceField(choices=Pillar.choices, error_messages=PILLAR_ERRORS)
    responsible_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all()
    )
    deadline = serializers.DateField()


class PlanVersionInput(CaseChildInput):
    concerns = serializers.CharField()
    goals = serializers.CharField()
    course = serializers.CharField()
    joint_task = serializers.CharField()
    focus = serializers.CharField(allow_blank=True, required=False, default="")
    explanation = serializers.CharField(allow_blank=True, required=False, default="")
    interventions = InterventionInput(many=True, required=False, default=list)


class PlanVersionUpdateInput(serializers.Serializer):
    concerns = serializers.CharField(required=False)
    goals = serializers.CharField(required=False)
    course = serializers.CharField(required=False)
    joint_task = serializers.CharField(required=False)
    focus = serializers.CharField(allow_blank=True, required=False)
    explanation = serializers.CharField(allow_blank=True, required=False)


class MeetingActionInput(serializers.Serializer):
    description = serializers.CharField()
    owner_organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    due_on = serializers.DateField()


class AttendeeInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    team_member = serializers.PrimaryKeyRelatedField(
        queryset=TeamMember.objects.all(), allow_null=True, required=False, default=None
    )


class MeetingInput(CaseChildInput):
    held_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    first_uvo_part = serializers.ChoiceField(
        choices=Meeting.Part.choices,
        allow_null=True,
        required=False,
        default=None,
        help_text="1 or 2 for a first UVO held in two meetings; null otherwise.",
    )
    person_attended = serializers.BooleanField(required=False, default=False)
    agenda = serializers.CharField(allow_blank=True, required=False, default="")
    development = serializers.CharField(allow_blank=True, required=False, default="")
    decisions = serializers.CharField(allow_blank=True, required=False, default="")
    exit_in_sight = serializers.BooleanField(required=False, default=False)
    attendees = AttendeeInput(many=True, required=False, default=list)
    actions = MeetingActionInput(many=True, required=False, default=list)


class MeetingUpdateInput(serializers.Serializer):
    held_on = serializers.DateField(required=False)
    person_attended = serializers.BooleanField(required=False)
    agenda = serializers.CharField(allow_blank=True, required=False)
    development = serializers.CharField(allow_blank=True, required=False)
    decisions = serializers.CharField(allow_blank=True, required=False)
    exit_in_sight = serializers.BooleanField(required=False)


# The texts may come blank: the service refuses them with its own Dutch message.
class EscalationInput(CaseChildInput):
    stuck_since = serializers.DateField()
    what_is_stuck = serializers.CharField(allow_blank=True)
    team_attempts = serializers.CharField(allow_blank=True)


class EscalationStepInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EscalationStep.Kind.choices)
    held_on = serializers.DateField()
    outcome = serializers.CharField(allow_blank=True)
    participants = serializers.CharField(allow_blank=True, required=False, default="")


class EscalationResolveInput(serializers.Serializer):
    on = serializers.DateField()
    resolution = serializers.CharField(allow_blank=True)


class AssessmentInput(CaseChildInput):
    assessed_on = serializers.DateField()
    care_criterion = serializers.BooleanField()
    safety_criterion = serializers.BooleanField()
    risk_level = serializers.ChoiceField(choices=Assessment.RiskLevel.choices)
    reasoning = serializers.CharField()


class EvaluationInput(CaseChildInput):
    kind = serializers.ChoiceField(choices=Evaluation.Kind.choices)
    held_on = serializers.DateField()
    findings = serializers.CharField()
    exit_possible = serializers.BooleanField(allow_null=True, required=False, default=None)
    assessment = serializers.PrimaryKeyRelatedField(
        queryset=Assessment.objects.all(), allow_null=True, required=False, default=None
    )


class ExitProposalInput(CaseChildInput):
    ground = serializers.ChoiceField(choices=ExitGround.choices)
    team_judgement = serializers.CharField()
    on = serializers.DateField()
    handover_organisation = serializers.CharField(allow_blank=True, required=False, default="")
    destination = serializers.CharField(allow_blank=True, required=False, default="")
    ground_explanation = serializers.CharField(allow_blank=True, required=False, default="")


# --- the feed and webhooks -----------------------------------------------------------


class ChangeEventSerializer(serializers.ModelSerializer):
    cursor = serializers.SerializerMethodField()
    tombstone = serializers.BooleanField(source="is_tombstone", read_only=True)

    class Meta:
        model = ChangeEvent
        fields = [
            "id",
            "resource",
            "object_id",
            "case_id",
            "operation",
            "tombstone",
            "occurred_at",
            "cursor",
        ]

    def get_cursor(self, event: ChangeEvent) -> str:
        return f"{event.xact_id}.{event.pk}"


class ChangeFeedSerializer(serializers.Serializer):
    results = ChangeEventSerializer(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    secret = serializers.SerializerMethodField()

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "resources", "is_active", "created_at", "secret"]
        read_only_fields = ["is_active", "created_at"]

    def get_secret(self, obj: WebhookSubscription) -> str | None:
        # Shown once, in the answer to the subscription itself.
        return obj.secret if self.context.get("show_secret") else None


class WebhookSubscriptionInput(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    resources = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = ChangeEventSerializer(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "event",
            "status",
            "attempts",
            "response_code",
            "error",
            "created_at",
            "last_attempt_at",
            "delivered_at",
        ]
