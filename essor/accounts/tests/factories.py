from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from essor.accounts.models import Partner, PartnerKind, RoleGrant, User


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"partner-{n}")
    acronym = factory.Sequence(lambda n: f"P{n}")
    name_fr = factory.Sequence(lambda n: f"Partenaire {n}")
    name_ar = factory.Sequence(lambda n: f"شريك {n}")
    kind = PartnerKind.OTHER


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Amina"
    last_name = factory.Sequence(lambda n: f"Test{n}")
    partner = factory.SubFactory(PartnerFactory)
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            for role in extracted:
                RoleGrant.objects.get_or_create(user=self, role=role)
