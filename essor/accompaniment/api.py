"""API of accompaniment: sessions with their participants, attendance, groups; same guards."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from essor.conventions.api import require_view
from essor.core.api import actor_of, service_errors
from essor.registry.models import Person

from . import services
from .models import Diagnostic, Group, Participant, PlanItem, Service, Session, Tour, TourStop
from .permissions import access_group, access_session, change_session


class ParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.__str__", read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "person", "name", "expected", "present"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "service",
            "venue",
            "starts_at",
            "ends_at",
            "capacity",
            "group",
            "reported_at",
            "participants",
        ]
        read_only_fields = fields


class AttendanceSerializer(serializers.Serializer):
    present = serializers.ListField(child=serializers.IntegerField(), default=list)
    absent = serializers.ListField(child=serializers.IntegerField(), default=list)
    walk_ins = serializers.ListField(child=serializers.IntegerField(), default=list)


class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SessionSerializer

    def get_queryset(self) -> QuerySet[Session]:
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        return Session.objects.visible_to(actor_of(self.request)).prefetch_related(
            "participants__person"
        )

    def get_object(self) -> Session:
        return access_session(actor_of(self.request), self.kwargs["pk"])

    @extend_schema(request=AttendanceSerializer, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """Who came: participant ids present and absent, and walk-ins (person ids)."""
        session = change_session(actor_of(request), self.kwargs["pk"])
        body = AttendanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        marks: dict[int, bool] = dict.fromkeys(body.validated_data["present"], True)
        marks.update(dict.fromkeys(body.validated_data["absent"], False))
        walk_ins = Person.objects.visible_to(actor_of(request)).filter(
            pk__in=body.validated_data["walk_ins"]
        )
        with service_errors():
            services.attendance_mark(
                actor=actor_of(request), session=session, marks=marks, walk_ins=walk_ins
            )
        return Response(SessionSerializer(Session.objects.get(pk=session.pk)).data)


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = Group
        fields = ["id", "name", "sector", "counsellor", "members", "started_on"]
        read_only_fields = fields


class GroupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = GroupSerializer

    def get_queryset(self) -> QuerySet[Group]:
        if getattr(self, "swagger_fake_view", False):
            return Group.objects.none()
        return Group.objects.visible_to(actor_of(self.request))

    def get_object(self) -> Any:
        return access_group(actor_of(self.request), self.kwargs["pk"])


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "code", "kind", "title_fr", "title_ar", "hours", "syllabus", "programmes"]
        read_only_fields = fields


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The services catalogue: read by every signed-in user."""

    serializer_class = ServiceSerializer

    def get_queryset(self) -> QuerySet[Service]:
        if getattr(self, "swagger_fake_view", False):
            return Service.objects.none()
        require_view(self.request)
        return Service.objects.prefetch_related("programmes")


class TourStopSerializer(serializers.ModelSerializer):
    commune: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = TourStop
        fields = ["on", "commune", "distance_km", "reason", "venue"]
        read_only_fields = fields


class TourSerializer(serializers.ModelSerializer):
    stops = TourStopSerializer(many=True, read_only=True)

    class Meta:
        model = Tour
        fields = ["id", "mobile_unit", "start_on", "end_on", "confirmed", "stops"]
        read_only_fields = fields


class TourViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The bus's tours and their stops: public commitments, read by every signed-in user."""

    serializer_class = TourSerializer

    def get_queryset(self) -> QuerySet[Tour]:
        if getattr(self, "swagger_fake_view", False):
            return Tour.objects.none()
        require_view(self.request)
        return Tour.objects.prefetch_related("stops__commune")


class PlanItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanItem
        fields = ["id", "area", "text", "owner", "due_on", "status", "followed_in"]
        read_only_fields = fields


class DiagnosticSerializer(serializers.ModelSerializer):
    plan = PlanItemSerializer(many=True, read_only=True)
    needs = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Diagnostic
        fields = ["id", "organisation", "counsellor", "on", "scores", "needs", "notes", "plan"]
        read_only_fields = fields


class DiagnosticViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Needs diagnostics and action plans, within the partner scope (or one's own)."""

    serializer_class = DiagnosticSerializer

    def get_queryset(self) -> QuerySet[Diagnostic]:
        from django.db.models import Q

        from essor.accounts.roles import Cap
        from essor.accounts.scoping import ALL, visible_partner_ids

        if getattr(self, "swagger_fake_view", False):
            return Diagnostic.objects.none()
        user = actor_of(self.request)
        if not user.can(Cap.PERSONAL_VIEW):
            return Diagnostic.objects.none()
        rows = Diagnostic.objects.prefetch_related("plan")
        ids = visible_partner_ids(user)
        if ids is not ALL:
            rows = rows.filter(Q(holder_id__in=ids) | Q(counsellor=user))
        return rows
