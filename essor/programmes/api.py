"""API of programmes: the schemes, the budget lines that fund them and their eligibility rules."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from essor.accounts.models import Partner
from essor.accounts.roles import Cap
from essor.conventions.api import WRITE_METHODS, require_view
from essor.conventions.models import BudgetLine
from essor.core.api import (
    CleanTextSerializerMixin,
    ServiceSerializer,
    actor_of,
    require,
    service_errors,
)

from . import services
from .models import EligibilityRule, Programme, RuleKind
from .permissions import access_programme


class RuleSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()

    class Meta:
        model = EligibilityRule
        fields = ["kind", "params", "note", "text"]
        read_only_fields = fields

    def get_text(self, rule: EligibilityRule) -> str:
        """The rule read aloud, in the request's language."""
        return str(rule)


class RuleSetSerializer(CleanTextSerializerMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=RuleKind.choices)
    params = serializers.DictField(required=False, default=dict)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ProgrammeSerializer(ServiceSerializer):
    operator: serializers.SlugRelatedField[Partner] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    budget_lines = serializers.PrimaryKeyRelatedField(
        queryset=BudgetLine.objects.all(), many=True, required=False
    )
    rules = RuleSerializer(source="eligibility_rules", many=True, read_only=True)

    create_only = ("code",)

    class Meta:
        model = Programme
        fields = ["id", *services.PROGRAMME_FIELDS, "operator", "budget_lines", "rules"]
        read_only_fields = ["id", "operator", "rules"]


class ProgrammeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Programmes; the operating partner's managers create and change them and set their rules."""

    serializer_class = ProgrammeSerializer
    http_method_names = WRITE_METHODS

    def get_queryset(self) -> QuerySet[Programme]:
        rows = (
            Programme.objects.select_related("operator")
            .prefetch_related("budget_lines", "eligibility_rules")
            .order_by("name_fr")
        )
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        require_view(self.request)
        return rows

    def get_object(self) -> Programme:
        change = self.request.method == "PATCH"
        return access_programme(
            actor_of(self.request), self.kwargs["pk"], action="change" if change else "view"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(request, Cap.PROGRAMMES_MANAGE)
        if actor_of(request).partner is None:
            raise NotFound
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        actor = actor_of(self.request)
        assert actor.partner is not None
        data = dict(serializer.validated_data)
        with service_errors():
            serializer.instance = services.programme_create(
                actor=actor,
                operator=actor.partner,
                budget_lines=data.pop("budget_lines", []),
                **data,
            )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        programme = serializer.instance
        assert isinstance(programme, Programme)
        data = dict(serializer.validated_data)
        with service_errors():
            services.programme_update(
                actor=actor_of(self.request),
                programme=programme,
                budget_lines=data.pop("budget_lines", None),
                **data,
            )
        serializer.instance = self.get_queryset().get(pk=programme.pk)

    @extend_schema(request=RuleSetSerializer, responses=RuleSerializer)
    @action(detail=True, methods=["post"])
    def rules(self, request: Request, pk: str | None = None) -> Response:
        """Add the eligibility rule of ``kind``, or replace its parameters."""
        programme = access_programme(actor_of(request), self.kwargs["pk"], action="change")
        body = RuleSetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with service_errors():
            rule = services.rule_set(
                actor=actor_of(request),
                programme=programme,
                kind=data["kind"],
                params=data.get("params") or {},
                note=data.get("note") or "",
            )
        return Response(RuleSerializer(rule).data)
