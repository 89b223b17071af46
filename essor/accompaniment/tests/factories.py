from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from essor.accompaniment import services
from essor.accompaniment.models import MobileUnit, Service, Session, Venue, VenueKind
from essor.accounts.models import Partner, User
from essor.territory.models import Commune

_n = count(1)


def make_service() -> Service:
    number = next(_n)
    return Service.objects.create(
        code=f"svc-{number}", kind="training", title_fr=f"Gestion simplifiée {number}", hours=3
    )


def bus_stop(partner: Partner) -> Venue:
    commune = Commune.objects.filter(region__code="01", kind="rural").order_by("code").first()
    assert commune is not None
    unit = MobileUnit.objects.create(name=f"Bus {next(_n)}", operator=partner, home=commune)
    return Venue.objects.create(
        kind=VenueKind.BUS_STOP,
        name=f"Arrêt du bus — {commune.name_fr}",
        commune=commune,
        capacity=25,
        host=partner,
        mobile_unit=unit,
    )


def make_session(partner: Partner, counsellor: User, **values: Any) -> Session:
    start: datetime = values.pop("starts_at", timezone.now() - timedelta(hours=1))
    return services.session_create(
        actor=None,
        holder=partner,
        service=values.pop("service", None) or make_service(),
        venue=values.pop("venue", None) or bus_stop(partner),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        counsellors=[counsellor],
        **values,
    )[0]
