from __future__ import annotations

from typing import Any

from essor.accounts.models import Partner
from essor.registry import services
from essor.registry.models import Organisation, Person


def make_person(partner: Partner, **data: Any) -> Person:
    defaults = {"first_name": "Amina", "last_name": "Alaoui", "sex": "F"}
    return services.person_create(actor=None, partner=partner, **(defaults | data))


def make_organisation(partner: Partner, **data: Any) -> Organisation:
    defaults = {"kind": "cooperative", "name_fr": "Coopérative Al Amal"}
    return services.organisation_create(actor=None, partner=partner, **(defaults | data))
