"""/api/v1/documents/: the sync client lists documents with their versions' metadata,
downloads a version (scope ``documents:read``) and uploads a new document (scope
``documents:write``) through the same service as the web page, scanned the same way."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import API_PURPOSE, SyncViewSet
from api.problems import problem
from audit.models import AccessLog
from audit.services import access_record, role_basis
from cases.models import Case, ExitProcedure, Meeting, PlanVersion

from . import services
from .models import Confidentiality, Document, DocumentKind, DocumentVersion
from .selectors import version_of
from .views import download_response

# Room for the multipart envelope around the largest file allowed.
UPLOAD_ENVELOPE_BYTES = 64 * 1024


class DocumentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["id", "number", "file_name", "size", "content_type", "sha256", "uploaded_at"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    versions = DocumentVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "case",
            "meeting",
            "plan_version",
            "exit_procedure",
            "title",
            "kind",
            "date",
            "confidentiality",
            "created_at",
            "versions",
        ]
        read_only_fields = fields


class DocumentUploadInput(serializers.Serializer):
    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.all())
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    date = serializers.DateField()
    confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), required=False, allow_null=True
    )
    plan_version = serializers.PrimaryKeyRelatedField(
        queryset=PlanVersion.objects.all(), required=False, allow_null=True
    )
    exit_procedure = serializers.PrimaryKeyRelatedField(
        queryset=ExitProcedure.objects.all(), required=False, allow_null=True
    )
    file = serializers.FileField(allow_empty_file=True)
    file_name = serializers.CharField(max_length=300, required=False)
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False)


class DocumentViewSet(SyncViewSet):
    scope_resource = "documents"
    queryset = (
        Document.objects.filter(removed_at__isnull=True)
        .select_related("case")
        .prefetch_related("versions")
    )
    serializer_class = DocumentSerializer
    filterset_fields = ["case"]
    audited = True
    parser_classes = [MultiPartParser]

    def max_body_bytes(self) -> int:
        return int(settings.DOCUMENTS_MAX_UPLOAD_BYTES) + UPLOAD_ENVELOPE_BYTES

    @extend_schema(
        request={"multipart/form-data": DocumentUploadInput},
        responses={201: DocumentSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload a new document: scanned by clamd, encrypted at rest (503 when the scanner
        is down, 400 for a refused file; nothing is stored then)."""
        serializer = DocumentUploadInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            version = services.document_upload(
                case=data["case"],
                by=self.actor,
                upload=data["file"],
                title=data["title"],
                kind=data["kind"],
                date=data["date"],
                confidentiality=data["confidentiality"],
                meeting=data.get("meeting"),
                plan_version=data.get("plan_version"),
                exit_procedure=data.get("exit_procedure"),
                file_name=data.get("file_name"),
                expected_sha256=data.get("sha256", ""),
            )
        except services.ScannerDown as exc:
            return problem(status.HTTP_503_SERVICE_UNAVAILABLE, exc.messages[0])
        document = self.get_queryset().get(pk=version.document_id)
        self._audit([document], action=AccessLog.Action.CREATE)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("version_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<version_id>[0-9]+)/download")
    def download(
        self, request: Request, pk: str | None = None, version_id: str | None = None
    ) -> HttpResponseBase:
        """The file of one version, decrypted, as an attachment; recorded in the access log."""
        document = self.get_object()
        version = version_of(document, int(version_id or 0))
        if version is None:
            raise Http404
        access_record(
            user=self.actor,
            obj=version,
            action=AccessLog.Action.DOWNLOAD,
            request=request,
            case=document.case,
            purpose=API_PURPOSE,
            basis=role_basis(self.actor),
        )
        return download_response(version, reader=self.actor)
