"""API of conventions: the conventions, their parties, payments, targets, budget lines and
committee actions, with the pages' guards and services.

Every signed-in user with the figures capability reads; a denied write answers 404, as for a
missing record, and changes nothing. A service's refusal answers 400 with its message.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from essor.accounts.models import Partner
from essor.accounts.roles import Cap
from essor.core.api import (
    CleanTextSerializerMixin,
    ServiceSerializer,
    actor_of,
    choice_param,
    fetch,
    id_param,
    money_field,
    require,
    service_errors,
)
from essor.territory.models import Region

from . import services
from .models import (
    ActionItem,
    BudgetLine,
    Committee,
    CommitteeMember,
    Convention,
    ConventionStatus,
    Meeting,
    PartnerPayment,
    Party,
    PartyRole,
    Target,
)
from .permissions import (
    access_budget_line,
    access_convention,
    can_add_line,
    can_change_convention,
    can_view,
)
from .selectors import ConventionFilters, convention_execution, convention_list


def require_view(request: Request) -> None:
    if not can_view(actor_of(request)):
        raise NotFound


PARTNER_CODES = Partner.objects.filter(archived_at__isnull=True)
WRITE_METHODS = ["get", "post", "patch", "head", "options"]


def convention_param() -> OpenApiParameter:
    return OpenApiParameter("convention", int, description="only the rows of this convention")


# --- Conventions ------------------------------------------------------------------------------


class ConventionSerializer(ServiceSerializer):
    owner: serializers.SlugRelatedField[Partner] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    regions = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), many=True, required=False
    )

    create_only = ("kind", "parent")

    class Meta:
        model = Convention
        fields = ["id", *services.CONVENTION_FIELDS, "parent", "owner", "regions", "status"]
        read_only_fields = ["id", "owner", "status"]
        extra_kwargs: ClassVar[dict[str, Any]] = {"kind": {"required": False}}


class TransitionSerializer(CleanTextSerializerMixin, serializers.Serializer):
    to = serializers.ChoiceField(choices=ConventionStatus.choices)
    on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    open_commitments_choice = serializers.ChoiceField(
        choices=[services.CloseChoice.RELEASE, services.CloseChoice.KEEP],
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="When closing with commitments not yet disbursed: release or keep them.",
    )


class ExecutionSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # Field.label
    budgeted = money_field()
    committed = money_field()
    disbursed = money_field()
    remaining = money_field(help_text="Budgeted money not yet committed.")
    committed_pct = serializers.DecimalField(
        max_digits=None, decimal_places=1, read_only=True, allow_null=True
    )
    disbursed_pct = serializers.DecimalField(
        max_digits=None, decimal_places=1, read_only=True, allow_null=True
    )


class FundsExecutionSerializer(ExecutionSerializer):
    pledged = money_field(allow_null=True)
    called = money_field(allow_null=True)
    received = money_field(allow_null=True)


class LineExecutionSerializer(ExecutionSerializer):
    budget_line = serializers.IntegerField(source="key.pk", read_only=True)


class PartnerExecutionSerializer(FundsExecutionSerializer):
    partner = serializers.CharField(source="key.code", read_only=True)


class ProgrammeExecutionSerializer(ExecutionSerializer):
    programme = serializers.IntegerField(source="key.pk", read_only=True)


class ConventionExecutionSerializer(serializers.Serializer):
    convention = serializers.IntegerField(source="convention.pk", read_only=True)
    envelope = money_field(help_text="The envelope with its signed amendments.")
    unbudgeted = money_field()
    total = FundsExecutionSerializer(read_only=True)
    lines = LineExecutionSerializer(many=True, read_only=True)
    partners = PartnerExecutionSerializer(many=True, read_only=True)
    programmes = ProgrammeExecutionSerializer(many=True, read_only=True)


class CommitteeMemberSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    convention = serializers.PrimaryKeyRelatedField(
        queryset=Convention.objects.all(), write_only=True
    )
    partner: serializers.SlugRelatedField[Partner] = serializers.SlugRelatedField(
        slug_field="code", queryset=PARTNER_CODES, required=False, allow_null=True
    )

    class Meta:
        model = CommitteeMember
        fields = ["id", "convention", "name", "title", "partner", "is_chair"]
        read_only_fields = ["id"]


class CommitteeSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    members = CommitteeMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Committee
        fields = ["id", "name", "chair", "mandate", "members"]
        read_only_fields = ["id", "members"]


class ConventionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Conventions (amendments are retrieved by id); the keeping partner's managers change them."""

    serializer_class = ConventionSerializer
    http_method_names = WRITE_METHODS

    def get_queryset(self) -> QuerySet[Convention]:
        if getattr(self, "swagger_fake_view", False):
            return Convention.objects.none()
        require_view(self.request)
        filters = ConventionFilters(
            query=self.request.query_params.get("q", "")[:100],
            status=choice_param(self.request, "status", ConventionStatus.values),
        )
        return convention_list(filters=filters)

    def get_object(self) -> Convention:
        change = self.request.method == "PATCH"
        return access_convention(
            actor_of(self.request), self.kwargs["pk"], action="change" if change else "view"
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=ConventionStatus.values),
            OpenApiParameter("q", str, description="reference or title"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(request, Cap.CONVENTIONS_MANAGE)
        if actor_of(request).partner is None:
            raise NotFound
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        actor = actor_of(self.request)
        assert actor.partner is not None
        data = dict(serializer.validated_data)
        with service_errors():
            serializer.instance = services.convention_create(
                actor=actor,
                owner=actor.partner,
                regions=data.pop("regions", []),
                parent=data.pop("parent", None),
                **data,
            )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        convention = serializer.instance
        assert isinstance(convention, Convention)
        data = dict(serializer.validated_data)
        with service_errors():
            services.convention_update(
                actor=actor_of(self.request),
                convention=convention,
                regions=data.pop("regions", None),
                **data,
            )
        serializer.instance = Convention.objects.get(pk=convention.pk)

    @extend_schema(request=TransitionSerializer, responses=ConventionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the convention along its lifecycle (draft → approved → signed → …)."""
        convention = access_convention(actor_of(request), self.kwargs["pk"], action="change")
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        with service_errors():
            convention = services.convention_transition(
                actor=actor_of(request),
                convention=convention,
                to=data["to"],
                on=data.get("on"),
                note=data.get("note") or "",
                open_commitments_choice=data.get("open_commitments_choice") or None,
            )
        return Response(self.get_serializer(convention).data)

    @extend_schema(methods=["GET"], responses=CommitteeSerializer)
    @extend_schema(methods=["POST"], request=CommitteeSerializer, responses=CommitteeSerializer)
    @action(detail=True, methods=["get", "post"])
    def committee(self, request: Request, pk: str | None = None) -> Response:
        """The monitoring committee: read it; its keeper sets its name, chair and mandate."""
        if request.method == "POST":
            convention = access_convention(actor_of(request), self.kwargs["pk"], action="change")
            body = CommitteeSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            with service_errors():
                committee = services.committee_set(
                    actor=actor_of(request), convention=convention, **body.validated_data
                )
            return Response(CommitteeSerializer(committee).data)
        convention = access_convention(actor_of(request), self.kwargs["pk"])
        existing = Committee.objects.filter(convention=convention).first()
        if existing is None:
            raise NotFound
        return Response(CommitteeSerializer(existing).data)

    @extend_schema(responses=ConventionExecutionSerializer)
    @action(detail=True, methods=["get"])
    def execution(self, request: Request, pk: str | None = None) -> Response:
        """Budgeted, committed and disbursed money by line, by partner and by programme."""
        convention = access_convention(actor_of(request), self.kwargs["pk"])
        return Response(ConventionExecutionSerializer(convention_execution(convention)).data)


# --- Parts of a convention: parties, payments, targets, committee actions ----------------------


class ConventionPartViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rows of a convention: read by every reader, written by the convention's keeper."""

    http_method_names = WRITE_METHODS
    convention_path: ClassVar[str] = "convention"

    def rows(self) -> QuerySet[Any]:
        """The rows of the serializer's model; a subclass adds the joins its list needs."""
        model = self.get_serializer_class().Meta.model  # type: ignore[attr-defined]
        return model._default_manager.all()

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.rows().none()
        require_view(self.request)
        rows = self.rows()
        convention = id_param(self.request, "convention")
        if convention is not None:
            rows = rows.filter(**{f"{self.convention_path}__pk": convention})
        return rows

    def convention_of(self, row: Any) -> Convention:
        """The convention the row belongs to (along ``convention_path``), if the actor may
        change it; 404 otherwise."""
        *hops, last = self.convention_path.split("__")
        for hop in hops:
            row = getattr(row, hop)
        return _change(self.request, getattr(row, f"{last}_id"))

    def get_object(self) -> Any:
        require_view(self.request)
        row = fetch(self.rows(), self.kwargs["pk"])
        if self.request.method == "PATCH":
            self.convention_of(row)
        return row

    @extend_schema(parameters=[convention_param()])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class KeeperCreateMixin(mixins.CreateModelMixin):
    """Create, for users who manage conventions (others get 404 whatever they send)."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(request, Cap.CONVENTIONS_MANAGE)
        return super().create(request, *args, **kwargs)


def _change(request: Request, convention_id: int) -> Convention:
    return access_convention(actor_of(request), convention_id, action="change")


class PartySerializer(ServiceSerializer):
    convention: serializers.PrimaryKeyRelatedField[Convention] = serializers.PrimaryKeyRelatedField(
        queryset=Convention.objects.all()
    )
    partner: serializers.SlugRelatedField[Partner] = serializers.SlugRelatedField(
        slug_field="code", queryset=PARTNER_CODES
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=PartyRole.choices), required=False
    )

    create_only = ("convention", "partner")

    class Meta:
        model = Party
        fields = ["id", "convention", "partner", "roles", "pledged", "in_kind_fr", "in_kind_ar"]
        read_only_fields = ["id"]
        validators: ClassVar[list[Any]] = []  # the service says "already a party" in words


class PartyViewSet(KeeperCreateMixin, mixins.UpdateModelMixin, ConventionPartViewSet):
    serializer_class = PartySerializer

    def rows(self) -> QuerySet[Party]:
        return Party.objects.select_related("partner")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        convention = _change(self.request, data.pop("convention").pk)
        with service_errors():
            serializer.instance = services.party_add(
                actor=actor_of(self.request), convention=convention, **data
            )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        party = serializer.instance
        assert isinstance(party, Party)
        with service_errors():
            serializer.instance = services.party_update(
                actor=actor_of(self.request), party=party, **serializer.validated_data
            )


class PartnerPaymentSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    party: serializers.PrimaryKeyRelatedField[Party] = serializers.PrimaryKeyRelatedField(
        queryset=Party.objects.all()
    )
    convention = serializers.IntegerField(source="party.convention_id", read_only=True)
    partner = serializers.CharField(source="party.partner.code", read_only=True)

    class Meta:
        model = PartnerPayment
        fields = ["id", "party", "convention", "partner", "kind", "amount", "on", "reference"]
        read_only_fields = ["id"]


class PartnerPaymentViewSet(KeeperCreateMixin, ConventionPartViewSet):
    """Calls for funds sent to a party, and payments received from it."""

    serializer_class = PartnerPaymentSerializer
    convention_path = "party__convention"

    def rows(self) -> QuerySet[PartnerPayment]:
        return PartnerPayment.objects.select_related("party__partner")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        _change(self.request, data["party"].convention_id)
        with service_errors():
            serializer.instance = services.payment_record(actor=actor_of(self.request), **data)


class TargetSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    convention: serializers.PrimaryKeyRelatedField[Convention] = serializers.PrimaryKeyRelatedField(
        queryset=Convention.objects.all()
    )

    class Meta:
        model = Target
        fields = ["id", "convention", "indicator", "label_fr", "label_ar", "value", "due_on"]
        read_only_fields = ["id"]


class TargetViewSet(KeeperCreateMixin, ConventionPartViewSet):
    serializer_class = TargetSerializer

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        convention = _change(self.request, data.pop("convention").pk)
        with service_errors():
            serializer.instance = services.target_add(
                actor=actor_of(self.request), convention=convention, **data
            )


class ActionItemSerializer(serializers.ModelSerializer):
    convention = serializers.IntegerField(source="committee.convention_id", read_only=True)
    owner: serializers.SlugRelatedField[Partner] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "convention",
            "meeting",
            "text",
            "owner",
            "owner_name",
            "due_on",
            "status",
            "done_on",
        ]
        read_only_fields = [
            "id",
            "convention",
            "meeting",
            "text",
            "owner",
            "owner_name",
            "due_on",
            "done_on",
        ]


class ActionItemCreateSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    convention = serializers.PrimaryKeyRelatedField(
        queryset=Convention.objects.all(), write_only=True
    )
    owner: serializers.SlugRelatedField[Partner] = serializers.SlugRelatedField(
        slug_field="code", queryset=PARTNER_CODES, required=False, allow_null=True
    )
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = ActionItem
        fields = ["id", "convention", "meeting", "text", "owner", "owner_name", "due_on", "status"]
        read_only_fields = ["id", "status"]


class ActionItemViewSet(KeeperCreateMixin, mixins.UpdateModelMixin, ConventionPartViewSet):
    """The committee's follow-up actions; the convention's keeper sets their status."""

    serializer_class = ActionItemSerializer
    convention_path = "committee__convention"

    def rows(self) -> QuerySet[ActionItem]:
        return ActionItem.objects.select_related("committee", "owner")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return ActionItemCreateSerializer
        return ActionItemSerializer

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        convention = _change(self.request, data.pop("convention").pk)
        committee = _committee(self.request, convention)
        meeting = data.get("meeting")
        if meeting is not None and meeting.committee_id != committee.pk:
            raise serializers.ValidationError(
                {"meeting": [_("This meeting is not one of this convention's committee.")]}
            )
        with service_errors():
            serializer.instance = services.action_add(
                actor=actor_of(self.request), committee=committee, **data
            )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        item = serializer.instance
        assert isinstance(item, ActionItem)
        status = serializer.validated_data.get("status")
        if status is not None:
            with service_errors():
                serializer.instance = services.action_set_status(
                    actor=actor_of(self.request), action=item, status=status
                )


def _committee(request: Request, convention: Convention) -> Committee:
    committee = Committee.objects.filter(convention=convention).first()
    if committee is None:
        raise serializers.ValidationError(
            {"convention": [_("Set up the convention's committee first.")]}
        )
    return committee


class CommitteeMemberViewSet(KeeperCreateMixin, ConventionPartViewSet):
    serializer_class = CommitteeMemberSerializer
    convention_path = "committee__convention"

    def rows(self) -> QuerySet[CommitteeMember]:
        return CommitteeMember.objects.select_related("partner", "committee")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        convention = _change(self.request, data.pop("convention").pk)
        committee = _committee(self.request, convention)
        with service_errors():
            serializer.instance = services.committee_member_add(
                actor=actor_of(self.request), committee=committee, **data
            )


class MeetingSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    convention = serializers.PrimaryKeyRelatedField(
        queryset=Convention.objects.all(), write_only=True
    )
    attendees = serializers.PrimaryKeyRelatedField(
        queryset=CommitteeMember.objects.all(), many=True, required=False
    )
    decisions = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, write_only=True
    )
    decision_texts = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "convention",
            "held_on",
            "place",
            "attendees",
            "other_attendees",
            "minutes",
            "decisions",
            "decision_texts",
        ]
        read_only_fields = ["id", "decision_texts"]

    def get_decision_texts(self, meeting: Meeting) -> list[str]:
        return [decision.text for decision in meeting.decisions.all()]


class MeetingViewSet(KeeperCreateMixin, ConventionPartViewSet):
    """The committee's meetings with their attendees, minutes and decisions."""

    serializer_class = MeetingSerializer
    convention_path = "committee__convention"

    def rows(self) -> QuerySet[Meeting]:
        return Meeting.objects.prefetch_related("attendees", "decisions")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        convention = _change(self.request, data.pop("convention").pk)
        committee = _committee(self.request, convention)
        with service_errors():
            serializer.instance = services.meeting_record(
                actor=actor_of(self.request),
                committee=committee,
                attendees=data.pop("attendees", []),
                decisions=data.pop("decisions", []),
                **data,
            )


# --- Budget lines -----------------------------------------------------------------------------


class BudgetLineSerializer(ServiceSerializer):
    convention: serializers.PrimaryKeyRelatedField[Convention] = serializers.PrimaryKeyRelatedField(
        queryset=Convention.objects.all()
    )
    partner: serializers.SlugRelatedField[Partner] = serializers.SlugRelatedField(
        slug_field="code", queryset=PARTNER_CODES
    )
    programmes: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    create_only = ("convention", "partner", "category")

    class Meta:
        model = BudgetLine
        fields = ["id", "convention", "partner", "category", "label", "amount", "programmes"]
        read_only_fields = ["id", "programmes"]


class BudgetLineViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Money of a convention that one partner executes; only that partner's managers change it.

    The convention's keeper adds lines for its parties; a party's manager adds its own lines."""

    serializer_class = BudgetLineSerializer
    http_method_names = WRITE_METHODS

    def get_queryset(self) -> QuerySet[BudgetLine]:
        rows = BudgetLine.objects.select_related("partner").prefetch_related("programmes")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        require_view(self.request)
        convention = id_param(self.request, "convention")
        return rows if convention is None else rows.filter(convention_id=convention)

    def get_object(self) -> BudgetLine:
        change = self.request.method == "PATCH"
        return access_budget_line(
            actor_of(self.request), self.kwargs["pk"], action="change" if change else "view"
        )

    @extend_schema(parameters=[convention_param()])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(request, Cap.CONVENTIONS_MANAGE)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        actor = actor_of(self.request)
        data = dict(serializer.validated_data)
        convention = access_convention(actor, data.pop("convention").pk)
        if not can_add_line(actor, convention):
            raise NotFound
        partner: Partner = data["partner"]
        if not can_change_convention(actor, convention) and partner.pk != actor.partner_id:
            raise NotFound  # a party's manager adds lines for their own partner only
        if not convention.parties.filter(partner=partner).exists():
            raise serializers.ValidationError(
                {
                    "partner": _(
                        "%(partner)s is not a party to this convention: add it as a party first."
                    )
                    % {"partner": partner.short_label}
                }
            )
        with service_errors():
            serializer.instance = services.budget_line_create(
                actor=actor, convention=convention, **data
            )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        line = serializer.instance
        assert isinstance(line, BudgetLine)
        data = serializer.validated_data
        with service_errors():
            services.budget_line_update(
                actor=actor_of(self.request),
                line=line,
                amount=data.get("amount"),
                label=data.get("label"),
            )
        serializer.instance = self.get_queryset().get(pk=line.pk)
