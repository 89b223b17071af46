"""The world of the demo: Tanger-Tétouan-Al Hoceima and the seed conventions.

The demo's reference data (``essor.core.demo``: partners, users, the seed conventions with their
budget lines, programmes, services, the chamber's maisons des TPE and the council's bus) is the
world; the population drawn in it applies to the TPE-ESS programme (25 MDH convention), the ESS
2023-2025 programme and INDH's programme 3, and is funded within the seed budget lines: a line
stops taking commitments at 90% of its amount, as a prudent programme officer would.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
    # Three programmes (not five a region as at nation scale): 1.2 applications a record keep
    # them at one application per person and programme.
    world.per_million = {"applications": 1_200_000}
    world.regions = [region]
    world.communes = [
        (c.pk, 0, c.kind, c.population_2024 or 1000)
        for c in Commune.objects.filter(region=region).order_by("code")
    ]
    world.sectors, world.sector_weights = sectors()
    world.partners = {code: p.pk for code, p in partners.items()}

    def user(name: str) -> int:
        return User.objects.get(username=name).pk

    manager, approver = user("manager.region"), user("admin.region")
    maison, bus_counsellor = user("counsellor.maison"), user("counsellor.bus")
    # Who enters, approves and counsels for each partner that acts in the population. The
    # council runs the two convention programmes and the bus, the chamber the maisons, INDH its
    # own programme. Lines of partners with nobody here (the ministry's) are not drawn on.
    world.users = {
        partners["cr-tta"].pk: (manager, approver, bus_counsellor),
        partners["ccis-tta"].pk: (manager, approver, maison),
        partners["indh-tta"].pk: (user("clerk.indh"), user("clerk.indh"), maison),
    }
    # The council registers the holders of its programmes; INDH its own, and it is INDH that
    # enters a share of them a second time.
    world.chamber = [partners["cr-tta"].pk]
    world.centre = [partners["indh-tta"].pk]

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
                programme.capacity or 0,
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
    # The chamber runs the maisons des TPE, each with its counsellor (the demo's
    # counsellor.maison in Tanger), the council the bus (as the 25 MDH convention says); the
    # story's counsellor keeps a free agenda for the story's own sessions.
    for index, house in enumerate(
        Venue.objects.filter(pk__in=world.houses[0]).select_related("commune").order_by("pk")
    ):
        counsellor = maison if index == 0 else house_counsellor(partners["ccis-tta"], house, seed)
        world.venue_staff[house.pk] = (partners["ccis-tta"].pk, counsellor)
        world.venue_places[house.pk] = house.capacity or 40
    for stop_id in stops:
        world.venue_staff[stop_id] = (partners["cr-tta"].pk, bus_counsellor)
        world.venue_places[stop_id] = bus.capacity if bus is not None and bus.capacity else 20
    world.strict_agenda = True
    return world


def house_counsellor(chamber: Partner, house: Any, seed: int) -> int:
    """The counsellor of a maison des TPE (made once; no password: an administrator sets it)."""
    from django.utils.text import slugify

    from essor.accounts.roles import Role
    from essor.accounts.services import user_create

    from .people import People

    username = f"counsellor.{slugify(house.commune.name_fr)}"[:150]
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing.pk
    person = People(seed * 31 + house.pk).draw(house.pk)
    return user_create(
        actor=None,
        partner=chamber,
        username=username,
        password=None,
        roles=[Role.COUNSELLOR],
        first_name=person.first_name,
        last_name=person.last_name,
    ).pk


def demo_import(
    partners: dict[str, Partner],
    *,
    seed: int,
    rows: int = 40,
    partner: str = "indh-tta",
    username: str = "clerk.indh",
    name: str = "caravane-indh-2025.csv",
) -> None:
    """INDH's data clerk loads the list of a caravan in the rural communes: most of its people
    are already in the registry (typed again, INDH's way), some are new, two rows are wrong.

    The import goes through the import engine, as a clerk's file would: the rows are matched by
    CIN, the likely duplicates go to the review queue, and the two wrong rows are rejected with
    their messages."""
    import csv
    import io
    import random

    from django.core.files.base import ContentFile

    from essor.linkage.synthetic import Variations, spellings, vary
    from essor.registry.importing.jobs import import_job_create, import_job_load
    from essor.registry.models import Person
    from essor.registry.synthetic import SyntheticPerson

    from .people import People

    clerk = User.objects.get(username=username)
    rng = random.Random(seed * 7919 + 909 + rows)
    known = list(
        Person.objects.filter(merged_into__isnull=True, birth_date__isnull=False)
        .exclude(commune=None)
        .exclude(first_name_ar="")
        .exclude(first_name="")
        .order_by("pk")[: rows * 20]
    )
    chosen = rng.sample(known, min(len(known), rows * 6 // 10))
    table = io.StringIO()
    out = csv.writer(table, delimiter=";")
    out.writerow(["Prénom", "Nom", "Prénom arabe", "Nom arabe", "Sexe", "Date de naissance",
                  "CIN", "Téléphone", "Commune"])  # fmt: skip
    names = spellings()
    typed = Variations(cin_missing=0.2, phone_missing=0.3)
    sources: list[int | None] = []  # per data row: the registry record it types again
    for person in chosen:
        sources.append(person.pk)
        row = vary(
            SyntheticPerson(
                person.first_name, person.last_name, person.first_name_ar, person.last_name_ar,
                person.sex, person.birth_date or AS_OF, person.cin, person.phone,
            ),
            person.commune.code if person.commune else "",  # type: ignore[arg-type]
            typed,
            names,
            rng,
        )  # fmt: skip
        out.writerow(_csv_row(row))
    people = People(seed + 1000)
    communes = [p.commune.code for p in known[: rows * 2] if p.commune]
    for index in range(rows - len(chosen) - 2):
        new = people.draw(9_000_000 + index)
        out.writerow(_csv_row(new.__dict__ | {"commune_id": rng.choice(communes)}))
        sources.append(None)
    # Two rows a clerk mistyped: a CIN with no digits, a birth date in the future.
    out.writerow(["Salma", "Ouahbi", "سلمى", "الوهبي", "F", "12/03/1994", "AB", "", ""])
    out.writerow(["Yassine", "Ghazi", "ياسين", "غازي", "M", "04/11/2031", "", "0612345678", ""])
    job = import_job_create(
        actor=clerk,
        partner=partners[partner],
        kind="persons",
        file=ContentFile(table.getvalue().encode("utf-8")),
        name=name,
    )
    job = import_job_load(job, actor=clerk)
    # The truth of the records the list created: the person typed again, or a new person.
    from .models import TrueIdentity

    entity_of = dict(TrueIdentity.objects.values_list("record", "entity"))
    last = max(entity_of.values(), default=0)
    truth = []
    for (_row, action, target, *_rest), source in zip(
        sorted(job.outcomes), [*sources, None, None], strict=True
    ):
        if action == "create" and target:
            if source is not None and source in entity_of:
                entity = entity_of[source]
            else:
                last += 1
                entity = last
            truth.append(TrueIdentity(record=target, entity=entity))
    TrueIdentity.objects.bulk_create(truth)


def _csv_row(row: dict[str, object]) -> list[str]:
    birth = row["birth_date"]
    return [
        str(row["first_name"]),
        str(row["last_name"]),
        str(row["first_name_ar"]),
        str(row["last_name_ar"]),
        str(row["sex"]),
        birth.strftime("%d/%m/%Y") if isinstance(birth, date) else "",
        str(row["cin"]),
        str(row["phone"]).replace("+212", "0"),
        str(row["commune_id"] or ""),
    ]
