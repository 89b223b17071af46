"""API of the registry: persons, organisations and import jobs, with the pages' guards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from essor.accounts.roles import Cap
from essor.core.api import CleanTextSerializerMixin, ErrorSerializer, _drf_error
from essor.core.api import actor_of as _actor
from essor.core.api import require as _require
from essor.privacy.models import AccessPurpose
from essor.privacy.services import log_full_cin
from essor.territory.models import Commune

from . import services
from .identifiers import mask_cin
from .importing.jobs import import_job_create
from .importing.reading import FileRefused, check_upload
from .models import ImportJob, ImportStatus, Organisation, Person, Sector
from .permissions import access_organisation, access_person
from .selectors import OrganisationFilters, PersonFilters, organisation_list, person_list
from .tasks import load_import, plan_import


class CommuneCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Commune.objects.all(), **kwargs)


class PersonSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    commune = CommuneCodeField(required=False, allow_null=True)
    registered_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    holders = serializers.SerializerMethodField()
    cin = serializers.CharField(required=False, allow_blank=True, max_length=20)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)

    class Meta:
        model = Person
        fields = ["id", *services.PERSON_FIELDS, "registered_by", "holders", "archived_at"]
        read_only_fields = ["id", "registered_by", "holders", "archived_at"]

    def get_holders(self, person: Person) -> list[str]:
        return sorted(h.partner.code for h in person.holdings.all())

    def to_representation(self, instance: Person) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not _actor(request).can(Cap.IDENTIFIERS_VIEW):
            data["cin"] = mask_cin(instance.cin)
        return data


class OrganisationSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    commune = CommuneCodeField(required=False, allow_null=True)
    sector: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", queryset=Sector.objects.all(), required=False, allow_null=True
    )
    registered_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    ice = serializers.CharField(required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Organisation
        fields = ["id", *services.ORGANISATION_FIELDS, "registered_by", "archived_at"]
        read_only_fields = ["id", "registered_by", "archived_at"]


SEARCH_PARAMS = [OpenApiParameter("q", str, description="name in either script, CIN or phone")]


class RegistryRecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Persons and organisations: the pages' guard and services, errors as 400 JSON by field."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    guard: Callable[..., Any]
    create_service: Callable[..., Any]
    update_service: Callable[..., Any]
    record_name: str  # the services' keyword for the record ("person", "organisation")

    def get_object(self) -> Any:
        guard = type(self).guard
        if self.request.method == "PATCH":
            return guard(_actor(self.request), self.kwargs["pk"], action="change")
        return guard(_actor(self.request), self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        actor = _actor(self.request)
        if actor.partner is None:
            raise NotFound
        try:
            serializer.instance = type(self).create_service(
                actor=actor, partner=actor.partner, **serializer.validated_data
            )
        except DjangoPermissionDenied as error:
            raise NotFound from error
        except DjangoValidationError as error:
            raise _drf_error(error) from error

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        record = serializer.instance
        assert record is not None
        try:
            type(self).update_service(
                actor=_actor(self.request),
                **{self.record_name: record},
                **serializer.validated_data,
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        serializer.instance = type(record).objects.get(pk=record.pk)


class PersonViewSet(RegistryRecordViewSet):
    serializer_class = PersonSerializer
    guard = access_person
    create_service = services.person_create
    update_service = services.person_update
    record_name = "person"

    def get_queryset(self) -> QuerySet[Person]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generation: no request
            return Person.objects.none()
        _require(self.request, Cap.PERSONAL_VIEW)
        params = self.request.query_params
        filters = PersonFilters(
            query=params.get("q", "")[:100],
            sex=params.get("sex", ""),
            commune=params.get("commune", ""),
        )
        # The commune's code and the registering partner's are in every row: one join, not a
        # query per person.
        return (
            person_list(actor=_actor(self.request), filters=filters)
            .select_related("commune", "registered_by")
            .prefetch_related("holdings__partner")
        )

    @extend_schema(parameters=SEARCH_PARAMS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        """Every full CIN the API returns is in the access log (one statement a response)."""
        response = super().finalize_response(request, response, *args, **kwargs)
        actor = request.user
        if (
            response.status_code < 300
            and actor.is_authenticated
            and actor.can(Cap.IDENTIFIERS_VIEW)
        ):
            data = getattr(response, "data", None)
            rows = data.get("results", [data]) if isinstance(data, dict) else data
            ids = [
                row["id"]
                for row in (rows if isinstance(rows, list) else [])
                if isinstance(row, dict) and row.get("cin") and row.get("id")
            ]
            if ids:
                log_full_cin(actor, ids, AccessPurpose.API, request.path)
        return response


class OrganisationViewSet(RegistryRecordViewSet):
    serializer_class = OrganisationSerializer
    guard = access_organisation
    create_service = services.organisation_create
    update_service = services.organisation_update
    record_name = "organisation"

    def get_queryset(self) -> QuerySet[Organisation]:
        if getattr(self, "swagger_fake_view", False):
            return Organisation.objects.none()
        _require(self.request, Cap.PERSONAL_VIEW)
        params = self.request.query_params
        filters = OrganisationFilters(query=params.get("q", "")[:100], kind=params.get("kind", ""))
        return organisation_list(actor=_actor(self.request), filters=filters)


class ImportJobSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    dry_run = serializers.BooleanField(write_only=True, default=True)

    def validate_file(self, upload: Any) -> Any:
        """Size, kind and (for a workbook) unpacked size, before anything is saved."""
        try:
            check_upload(upload)
        except FileRefused as refusal:
            raise serializers.ValidationError(str(refusal)) from None
        return upload

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "file",
            "original_name",
            "strict",
            "dry_run",
            "status",
            "message",
            "progress_done",
            "progress_total",
            "summary",
            "outcomes",
            "unmapped",
            "mapping",
            "created_at",
            "loaded_at",
        ]
        read_only_fields = [
            "id",
            "original_name",
            "status",
            "message",
            "progress_done",
            "progress_total",
            "summary",
            "outcomes",
            "unmapped",
            "mapping",
            "created_at",
            "loaded_at",
        ]


class ImportJobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Upload a list (multipart ``file``, ``kind``, ``strict``); it is checked, then loaded on
    ``POST /imports/{id}/load`` (or at once with ``dry_run=false``). Poll the job for progress."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[ImportJob]:
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        _require(self.request, Cap.REGISTRY_IMPORT)
        jobs = ImportJob.objects.order_by("-created_at")
        actor = _actor(self.request)
        return jobs if actor.is_superuser else jobs.filter(partner=actor.partner)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _require(request, Cap.REGISTRY_IMPORT)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor = _actor(request)
        if actor.partner is None:
            raise NotFound
        upload = serializer.validated_data["file"]
        job = import_job_create(
            actor=actor,
            partner=actor.partner,
            kind=serializer.validated_data["kind"],
            file=upload,
            name=upload.name,
            strict=serializer.validated_data.get("strict", False),
        )
        if serializer.validated_data.get("dry_run", True):
            plan_import.enqueue(job.pk)
        else:
            load_import.enqueue(job.pk, actor.pk)
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            200: ImportJobSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The import was not checked first."),
        },
    )
    @action(detail=True, methods=["post"])
    def load(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        if job.status != ImportStatus.PLANNED:
            return Response(
                {"detail": _("Only a checked import (status 'planned') can be loaded.")},
                status=status.HTTP_409_CONFLICT,
            )
        load_import.enqueue(job.pk, _actor(request).pk)
        job.refresh_from_db()
        return Response(self.get_serializer(job).data)
