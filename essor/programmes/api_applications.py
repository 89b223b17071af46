"""API of applications: list and read within the partner scope (an evaluator: the files
assigned), enter, screen, score and decide, with the pages' guards and services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from essor.accounts.roles import Cap
from essor.core.api import CleanTextSerializerMixin, actor_of, service_errors
from essor.registry.permissions import access_organisation, access_person

from . import applications, selection
from .models import (
    Application,
    ApplicationStatus,
    DecisionOutcome,
    Programme,
    ScoringCriterion,
    SelectionSession,
)
from .permissions import access_application, access_programme


class RuleResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()


class ApplicationSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.all())
    person = serializers.IntegerField(source="person_id", required=False, allow_null=True)
    organisation = serializers.IntegerField(
        source="organisation_id", required=False, allow_null=True
    )
    screening = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "receipt",
            "programme",
            "person",
            "organisation",
            "channel",
            "status",
            "project_title",
            "project_description",
            "sector",
            "project_cost",
            "requested",
            "own_contribution",
            "submitted_on",
            "screening",
        ]
        read_only_fields = ["id", "receipt", "channel", "status", "screening"]
        extra_kwargs = {"submitted_on": {"required": False}}

    @extend_schema_field(RuleResultSerializer(many=True))
    def get_screening(self, application: Application) -> list[dict[str, str]]:
        screening = application.screenings.first()
        if screening is None:
            return []
        return [
            {"kind": r.kind, "status": r.status, "reason": r.reason}
            for r in screening.rule_results()
        ]


class ScoreBodySerializer(CleanTextSerializerMixin, serializers.Serializer):
    criterion = serializers.PrimaryKeyRelatedField(queryset=ScoringCriterion.objects.all())
    value = serializers.IntegerField(min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class DecisionBodySerializer(CleanTextSerializerMixin, serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    session = serializers.PrimaryKeyRelatedField(
        queryset=SelectionSession.objects.all(), required=False, allow_null=True, default=None
    )


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ApplicationSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Application]:
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        rows = Application.objects.visible_to(actor_of(self.request))
        programme = self.request.query_params.get("programme", "")
        if programme.isascii() and programme.isdigit():
            rows = rows.filter(programme_id=int(programme))
        state = self.request.query_params.get("status", "")
        if state in ApplicationStatus.values:
            rows = rows.filter(status=state)
        return rows.prefetch_related("screenings")

    def get_object(self) -> Application:
        return access_application(actor_of(self.request), self.kwargs["pk"])

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_of(request)
        if not actor.can(Cap.APPLICATIONS_MANAGE):
            raise NotFound
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        programme = access_programme(actor, data.pop("programme").pk)
        if not actor.is_superuser and programme.operator_id != actor.partner_id:
            raise NotFound
        person_id = data.pop("person_id", None)
        organisation_id = data.pop("organisation_id", None)
        applicant: dict[str, Any] = {}
        if person_id:
            applicant["person"] = access_person(actor, person_id)
        if organisation_id:
            applicant["organisation"] = access_organisation(actor, organisation_id)
        with service_errors():
            application = applications.application_create(
                actor=actor, programme=programme, **applicant, **data
            )
        return Response(self.get_serializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def screen(self, request: Request, pk: str | None = None) -> Response:
        """Evaluate every eligibility rule; each result says pass, fail or unknown, and why."""
        application = access_application(actor_of(request), self.kwargs["pk"], action="manage")
        applications.application_screen(actor=actor_of(request), application=application)
        application.refresh_from_db()
        return Response(self.get_serializer(application).data)

    @extend_schema(request=ScoreBodySerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request: Request, pk: str | None = None) -> Response:
        """An evaluator scores one criterion of a file assigned to them."""
        application = access_application(actor_of(request), self.kwargs["pk"], action="score")
        body = ScoreBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            selection.score_set(
                evaluator=actor_of(request), application=application, **body.validated_data
            )
        return Response(self.get_serializer(application).data)

    @extend_schema(request=DecisionBodySerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """The selection committee's decision: selected (within capacity), waiting, rejected."""
        application = access_application(actor_of(request), self.kwargs["pk"], action="manage")
        body = DecisionBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            selection.decide(
                actor=actor_of(request), application=application, **body.validated_data
            )
        application.refresh_from_db()
        return Response(self.get_serializer(application).data)
