"""API of the money: commitments on budget lines, their disbursements, and the second approvals.

Commitments name a project holder or an enterprise: they are personal data, seen within the
partner scope like the registry. A user commits only on their own partner's lines, to someone
they can see; above the programme's threshold another manager of that partner approves.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from essor.accounts.models import Partner, User
from essor.accounts.roles import Cap
from essor.conventions.permissions import access_budget_line
from essor.core.api import (
    CleanTextSerializerMixin,
    actor_of,
    choice_param,
    fetch,
    id_param,
    money_field,
    require,
    service_errors,
)
from essor.core.money import ZERO
from essor.programmes.permissions import access_programme
from essor.registry.permissions import access_organisation, access_person

from . import services
from .models import RESERVING, ApprovalStatus, Commitment, CommitmentKind, Disbursement
from .permissions import access_commitment, access_disbursement
from .selectors import commitment_list


def _amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class DisbursementSerializer(serializers.ModelSerializer):
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    approver: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "commitment",
            "tranche",
            "amount",
            "paid_on",
            "reference",
            "status",
            "author",
            "approver",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class CommitmentSerializer(serializers.ModelSerializer):
    holder: serializers.SlugRelatedField[Partner] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    approver: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    disbursed = money_field(help_text="Paid out: the approved disbursements.")
    left_to_pay = money_field(
        help_text="What may still be disbursed: the payable amount less tranches paid or awaiting."
    )
    disbursements = DisbursementSerializer(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "holder",
            "budget_line",
            "programme",
            "person",
            "organisation",
            "kind",
            "amount",
            "project_cost",
            "committed_on",
            "purpose",
            "status",
            "released",
            "disbursed",
            "left_to_pay",
            "author",
            "approver",
            "decided_at",
            "decision_note",
            "disbursements",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Commitment) -> dict[str, Any]:
        tranches = list(instance.disbursements.all())
        instance.disbursed = sum(  # type: ignore[attr-defined]
            (d.amount for d in tranches if d.status == ApprovalStatus.APPROVED), ZERO
        )
        reserved = sum((d.amount for d in tranches if d.status in RESERVING), ZERO)
        instance.left_to_pay = max(instance.payable - reserved, ZERO)  # type: ignore[attr-defined]
        return super().to_representation(instance)


class CommitmentCreateSerializer(CleanTextSerializerMixin, serializers.Serializer):
    budget_line = serializers.IntegerField(help_text="A line of your partner, with money left.")
    programme = serializers.IntegerField(help_text="A programme the line funds.")
    person = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The project holder, or:"
    )
    organisation = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="the enterprise."
    )
    kind = serializers.ChoiceField(choices=CommitmentKind.choices, default=CommitmentKind.GRANT)
    amount = _amount()
    project_cost = _amount(required=False, allow_null=True, default=None)
    committed_on = serializers.DateField(required=False, allow_null=True, default=None)
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class DecisionSerializer(CleanTextSerializerMixin, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class CancelSerializer(CleanTextSerializerMixin, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class DisburseSerializer(CleanTextSerializerMixin, serializers.Serializer):
    amount = _amount()
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


def _body(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _with_tranches(rows: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return rows.select_related("holder").prefetch_related(
        Prefetch(
            "disbursements",
            queryset=Disbursement.objects.select_related("author", "approver").order_by("tranche"),
        )
    )


class CommitmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Commitments of a line's money to one beneficiary, with their tranches."""

    serializer_class = CommitmentSerializer

    def get_queryset(self) -> QuerySet[Commitment]:
        if getattr(self, "swagger_fake_view", False):
            return Commitment.objects.none()
        require(self.request, Cap.PERSONAL_VIEW)
        actor = actor_of(self.request)
        line_id = id_param(self.request, "line")
        rows = commitment_list(
            actor=actor,
            line=access_budget_line(actor, line_id) if line_id is not None else None,
            programme_id=id_param(self.request, "programme"),
            status=choice_param(self.request, "status", ApprovalStatus.values),
        )
        return _with_tranches(rows)

    def get_object(self) -> Commitment:
        require(self.request, Cap.PERSONAL_VIEW)
        commitment = access_commitment(actor_of(self.request), self.kwargs["pk"])
        return fetch(_with_tranches(Commitment.objects.all()), commitment.pk)

    def _reply(self, commitment: Commitment, code: int = status.HTTP_200_OK) -> Response:
        fresh = fetch(_with_tranches(Commitment.objects.all()), commitment.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("line", int, description="only the commitments on this budget line"),
            OpenApiParameter("programme", int),
            OpenApiParameter("status", str, enum=ApprovalStatus.values),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CommitmentCreateSerializer, responses={201: CommitmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Commit money of a line; above the programme's threshold it awaits a second approval."""
        require(request, Cap.FUNDING_COMMIT)
        actor = actor_of(request)
        data = _body(CommitmentCreateSerializer, request)
        line = access_budget_line(actor, data.pop("budget_line"), action="commit")
        programme = access_programme(actor, data.pop("programme"))
        person_id, organisation_id = data.pop("person"), data.pop("organisation")
        with service_errors():
            commitment = services.commitment_create(
                actor=actor,
                budget_line=line,
                programme=programme,
                person=access_person(actor, person_id) if person_id is not None else None,
                organisation=(
                    access_organisation(actor, organisation_id)
                    if organisation_id is not None
                    else None
                ),
                **data,
            )
        return self._reply(commitment, status.HTTP_201_CREATED)

    def _decide(self, request: Request, *, approve: bool) -> Response:
        commitment = access_commitment(actor_of(request), self.kwargs["pk"], action="approve")
        data = _body(DecisionSerializer, request)
        with service_errors():
            services.commitment_decide(
                actor=actor_of(request), commitment=commitment, approve=approve, note=data["note"]
            )
        return self._reply(commitment)

    @extend_schema(request=DecisionSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """The second approval, by another manager of the partner executing the line."""
        return self._decide(request, approve=True)

    @extend_schema(request=DecisionSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Refuse a commitment awaiting approval; the note says why."""
        return self._decide(request, approve=False)

    @extend_schema(request=CancelSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a commitment nothing was paid on; its money goes back to the line."""
        commitment = access_commitment(actor_of(request), self.kwargs["pk"], action="disburse")
        data = _body(CancelSerializer, request)
        with service_errors():
            services.commitment_cancel(
                actor=actor_of(request), commitment=commitment, reason=data["reason"]
            )
        return self._reply(commitment)

    @extend_schema(
        request=DisburseSerializer,
        responses={201: OpenApiResponse(DisbursementSerializer, description="the tranche")},
    )
    @action(detail=True, methods=["post"])
    def disburse(self, request: Request, pk: str | None = None) -> Response:
        """Pay a tranche of an approved commitment; above the threshold it awaits approval."""
        commitment = access_commitment(actor_of(request), self.kwargs["pk"], action="disburse")
        data = _body(DisburseSerializer, request)
        with service_errors():
            disbursement = services.disbursement_create(
                actor=actor_of(request),
                commitment=commitment,
                amount=data["amount"],
                paid_on=data.get("paid_on"),
                reference=data.get("reference") or "",
            )
        return Response(DisbursementSerializer(disbursement).data, status=status.HTTP_201_CREATED)


class DisbursementViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tranches of a commitment, and their second approval."""

    serializer_class = DisbursementSerializer

    def get_queryset(self) -> QuerySet[Disbursement]:
        return Disbursement.objects.select_related("author", "approver")

    def get_object(self) -> Disbursement:
        disbursement = fetch(self.get_queryset(), self.kwargs["pk"])
        access_commitment(actor_of(self.request), disbursement.commitment_id)
        return disbursement

    def _decide(self, request: Request, *, approve: bool) -> Response:
        disbursement = access_disbursement(actor_of(request), self.kwargs["pk"])
        data = _body(DecisionSerializer, request)
        with service_errors():
            services.disbursement_decide(
                actor=actor_of(request),
                disbursement=disbursement,
                approve=approve,
                note=data["note"],
            )
        return Response(self.get_serializer(fetch(self.get_queryset(), disbursement.pk)).data)

    @extend_schema(request=DecisionSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """The second approval, by another manager of the partner executing the line."""
        return self._decide(request, approve=True)

    @extend_schema(request=DecisionSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Refuse a tranche awaiting approval; the note says why."""
        return self._decide(request, approve=False)
