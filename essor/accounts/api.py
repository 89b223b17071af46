"""API of partners and users: the same guards and services as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from essor.core.api import CleanTextSerializerMixin
from essor.territory.models import Region

from . import services
from .models import Partner, User
from .permissions import access_partner, access_user
from .roles import Role
from .selectors import partner_list, user_list


class PartnerSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Partner
        fields = ["id", "code", "acronym", "name_fr", "name_ar", "kind", "region", "website"]
        read_only_fields = ["id", "code", "region"]


class UserSerializer(CleanTextSerializerMixin, serializers.ModelSerializer):
    partner: serializers.SlugRelatedField[Partner] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), allow_empty=False
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "partner",
            "roles",
            "preferred_language",
            "is_active",
        ]
        read_only_fields = ["id", "username", "partner", "is_active"]

    def to_representation(self, instance: User) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["roles"] = sorted(grant.role for grant in instance.role_grants.all())
        return data


class UserCreateSerializer(UserSerializer):
    password = serializers.CharField(write_only=True, min_length=10)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "password"]
        read_only_fields = ["id", "partner", "is_active"]

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("This user name is taken.")
        return value


def _as_drf_errors(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "message_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


class PartnerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PartnerSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Partner]:
        return partner_list(actor=self.request.user)  # type: ignore[arg-type]

    def get_object(self) -> Partner:
        action = "change" if self.request.method == "PATCH" else "view"
        return access_partner(self.request.user, self.kwargs["pk"], action=action)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        partner = serializer.instance
        assert isinstance(partner, Partner)
        try:
            serializer.instance = services.partner_update(
                actor=self.request.user,  # type: ignore[arg-type]
                partner=partner,
                **serializer.validated_data,
            )
        except DjangoValidationError as error:
            raise _as_drf_errors(error) from error


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Users of the caller's partner; administrators create and change them."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return UserCreateSerializer if self.action == "create" else UserSerializer

    def get_queryset(self) -> QuerySet[User]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generation: no request
            return User.objects.none()
        return user_list(actor=self.request.user)  # type: ignore[arg-type]

    def get_object(self) -> User:
        action = "change" if self.request.method == "PATCH" else "view"
        return access_user(self.request.user, self.kwargs["pk"], action=action)  # type: ignore[arg-type]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        actor: User = self.request.user  # type: ignore[assignment]
        data = dict(serializer.validated_data)
        if actor.partner is None:
            raise NotFound
        try:
            serializer.instance = services.user_create(actor=actor, partner=actor.partner, **data)
        except DjangoPermissionDenied as error:
            raise NotFound from error
        except DjangoValidationError as error:
            raise _as_drf_errors(error) from error

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        user = serializer.instance
        assert isinstance(user, User)
        try:
            serializer.instance = services.user_update(
                actor=self.request.user,  # type: ignore[arg-type]
                user=user,
                **serializer.validated_data,
            )
        except DjangoValidationError as error:
            raise _as_drf_errors(error) from error


@extend_schema(responses=UserSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in user, their partner and roles."""
    return Response(UserSerializer(request.user).data)
