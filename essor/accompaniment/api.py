"""API of accompaniment: sessions with their participants, attendance, groups; same guards."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from essor.core.api import actor_of, service_errors
from essor.registry.models import Person

from . import services
from .models import Group, Participant, Session
from .permissions import access_group, access_session


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
        session = access_session(actor_of(request), self.kwargs["pk"])
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
