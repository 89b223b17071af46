"""The world of the demo: Tanger-Tétouan-Al Hoceima and the seed conventions.

The demo's reference data (``essor.core.demo``: partners, users, the seed conventions with their
budget lines, programmes, services, the chamber's maisons des TPE and the council's bus) is the
world; the population drawn in it applies to the TPE-ESS programme (25 MDH convention), the ESS
2023-2025 programme and INDH's programme 3, and is funded within the seed budget lines: a line
stops taking commitments at 90% of its amount, as a prudent programme officer would.
"""

from __future__ import annotations

from datetime import date

from essor.accounts.models import Partner, User

from .loader import FUNDING, Conv, Line, Prog, World, sectors

TTA = "01"
AS_OF = date(2025, 12, 31)
# Programme, share of the applications, the convention it draws on, and whether the holders it
# brings are INDH's (the region's other registering partner) rather than the chamber's.
PROGRAMMES = [
    ("tpe-ess-tta", 0.55, "TTA-TPE-ESS-25MDH", False),
    ("ess-tta-2023", 0.25, "TTA-ESS-2023-2025", False),
    ("indh-p3", 0.20, None, True),
]


def demo_world(partners: dict[str, Partner], *, persons: int, seed: int) -> World:
    from essor.accompaniment.models import MobileUnit, Service, Venue, VenueKind
    from essor.conventions.models import Convention
    from essor.programmes.models import Programme
    from essor.territory.models import Commune, Region

    region = Region.objects.get(code=TTA)
    world = World(persons=persons, seed=seed, fixed_budget=True, merged_share=0.0)
    world.regions = [region]
    world.communes = [
        (c.pk, 0, c.kind, c.population_2024 or 1000)
        for c in Commune.objects.filter(region=region).order_by("code")
    ]
    world.sectors, world.sector_weights = sectors()
    world.partners = {code: p.pk for code, p in partners.items()}
    world.chamber = [partners["ccis-tta"].pk]
    world.centre = [partners["indh-tta"].pk]

    def user(name: str) -> int:
        return User.objects.get(username=name).pk

    manager, approver = user("manager.region"), user("admin.region")
    for code in partners:
        # Bulk sessions are led by the counsellors of the maisons and of the bus, so that the
        # story's counsellor keeps a free agenda for the story's sessions.
        counsellor = user("counsellor.bus" if code == "cr-tta" else "counsellor.maison")
        world.users[partners[code].pk] = (manager, approver, counsellor)

    references = sorted({ref for _code, _share, ref, _side in PROGRAMMES if ref})
    for reference in references:
        convention = Convention.objects.get(reference=reference)
        lines = [
            Line(line.pk, line.category, line.partner_id, int(line.amount))
            for line in convention.budget_lines.order_by("pk")
        ]
        assert any(x.category in FUNDING for x in lines), reference
        world.conventions.append(Conv(convention.pk, 0, lines))
    first, last = date(2023, 1, 1), date(2025, 10, 31)
    for code, share, source, indh in PROGRAMMES:
        programme = Programme.objects.get(code=code)
        opens = max(programme.opens_on or first, first)
        closes = min(programme.closes_on or last, last)
        world.programmes.append(
            Prog(
                programme.pk,
                0,
                references.index(source) if source else -1,
                programme.operator_id,
                opens.toordinal(),
                closes.toordinal(),
                share,
                indh,
            )
        )
    kinds: dict[str, int] = {}
    for service in Service.objects.order_by("pk"):
        kinds.setdefault(service.kind, service.pk)
    world.services = [kinds]
    bus = MobileUnit.objects.filter(operator=partners["cr-tta"]).order_by("pk").first()
    world.houses = [
        list(Venue.objects.filter(kind=VenueKind.HOUSE).order_by("pk").values_list("pk", flat=True))
    ]
    stops = []
    if bus is not None:
        # The bus stops in the region's larger rural communes.
        for commune in Commune.objects.filter(region=region, kind="rural").order_by(
            "-population_2024", "code"
        )[:40]:
            venue, _ = Venue.objects.get_or_create(
                kind=VenueKind.BUS_STOP,
                commune=commune,
                mobile_unit=bus,
                defaults={
                    "name": f"Arrêt du bus — {commune.name_fr}",
                    "capacity": bus.capacity,
                    "host": partners["cr-tta"],
                },
            )
            stops.append(venue.pk)
    world.stops = [stops or world.houses[0]]
    return world
