"""The bulk generator: a world of partners, conventions and programmes, then its population.

A *world* is the reference data, made with the ORM (and so in the audit history): partners and
their users, conventions with their budget lines, programmes, services, maisons des TPE and bus
stops. ``nation_world`` makes two conventions in each of the 12 regions; ``essor.generator.demo``
makes the world of the seed conventions in Tanger-Tétouan-Al Hoceima.

The :class:`Loader` then writes the population of that world in bulk (COPY on PostgreSQL,
batched ``executemany`` on SQLite, explicit ids, indexes and keys dropped around the load on
PostgreSQL): persons with their duplicates and the truth, organisations with their founders,
applications, enrollments, sessions with attendance, commitments and their tranches, follow-ups.
Every count scales with the number of registry records. Every date falls in 2023-2025 and the
data is as of 31 December 2025: later follow-up waves are still due. Random draws are seeded:
the same seed gives the same data.

What a bulk load skips, so that no reader is surprised:

- no ``simple_history`` rows for the bulk-written tables, no audit entries, no screening, scores
  or selection decisions behind the statuses;
- no organisation search keys (the organisation search does not find these enterprises);
- the ledger rules are kept by construction and checked at the end: commitments on a line never
  exceed it, reserving tranches never exceed their commitment, a reversed tranche is paid again
  as the next tranche.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection

from .bulk import Say, Timer, insert_rows, rebuild, reset_sequences, strip
from .people import AS_OF, PERSON_COLUMNS, Records, at, draw_records, person_rows, weighted

FIRST = date(2023, 1, 1)
THRESHOLD = 50_000  # programmes' default second-approval threshold (DH)

# Per million persons; every count scales with --persons.
PER_MILLION = {
    "organisations": 300_000,
    "applications": 2_000_000,
    "enrollments": 400_000,
    "sessions": 500_000,
    "commitments": 300_000,
    "exited": 200_000,  # three follow-up waves each: 600,000 follow-ups
}

# Shares of the applications that are not enrolled (enrolled ones are drawn exactly).
STATUS_WEIGHTS = {
    "submitted": 10,
    "eligible": 9,
    "ineligible": 16,
    "incomplete": 7,
    "selected": 4,
    "waiting": 9,
    "rejected": 33,
    "withdrawn": 7,
}
ORG_KINDS = {
    "informal": 20,
    "auto_entrepreneur": 30,
    "cooperative": 15,
    "association": 5,
    "gie": 2,
    "sarl": 8,
    "sarl_au": 15,
    "other_company": 5,
}
FORMAL = {"sarl", "sarl_au", "other_company", "gie"}
ORG_WORDS = [
    ("Al Amal", "الأمل"),
    ("Nour", "النور"),
    ("Atlas", "الأطلس"),
    ("Argane", "أركان"),
    ("Zitoun", "الزيتون"),
    ("Assafa", "الصفاء"),
    ("Al Baraka", "البركة"),
    ("Tawfiq", "التوفيق"),
    ("Al Wifaq", "الوفاق"),
    ("Annajah", "النجاح"),
]
ORG_PREFIX = {
    "informal": ("Projet", "مشروع"),
    "auto_entrepreneur": ("AE", "مقاول ذاتي"),
    "cooperative": ("Coopérative", "تعاونية"),
    "association": ("Association", "جمعية"),
    "gie": ("GIE", "مجموعة ذات نفع اقتصادي"),
    "sarl": ("Sté", "شركة"),
    "sarl_au": ("Sté", "شركة"),
    "other_company": ("Sté", "شركة"),
}
# Service kinds: share of sessions, participants (min, max); 20 a session on average.
SESSION_KINDS = {
    "training": (45, 20, 30),
    "group_counselling": (20, 15, 25),
    "fair": (5, 30, 40),
    "formalities": (10, 10, 20),
    "mentoring": (10, 6, 18),
    "coaching": (10, 1, 5),
}
SERVICE_TITLES = {
    "training": ("Formation à la gestion de la TPE", "التكوين في تدبير المقاولة الصغيرة جدا", 24),
    "group_counselling": ("Conseil de groupe par filière", "الاستشارة الجماعية حسب القطاع", 12),
    "fair": ("Salon et accès aux marchés", "المعارض والولوج إلى الأسواق", 8),
    "formalities": ("Aide aux formalités", "المساعدة في الإجراءات", 4),
    "mentoring": ("Mentorat", "المواكبة من طرف مرشد", 6),
    "coaching": ("Coaching individuel", "التوجيه الفردي", 10),
}
# Programmes of each region: (convention, slug, name, share of the region's applications).
PROGRAMMES = [
    ("A", "idee", "De l'idée au projet", 0.26),
    ("A", "creation", "Création de TPE", 0.26),
    ("A", "croissance", "Croissance des TPE", 0.18),
    ("B", "coop", "Coopératives rurales", 0.15),
    ("B", "agr", "Activités génératrices de revenus", 0.15),
]


def cols(names: str) -> list[str]:
    return names.split()


def scaled(persons: int, name: str, per_million: dict[str, int] | None = None) -> int:
    rate = (per_million or {}).get(name, PER_MILLION[name])
    return max(1, round(rate * persons / 1_000_000))


# --- The world: reference data made with the ORM --------------------------------------------


@dataclass
class Line:
    id: int
    category: str
    partner: int
    amount: int = 0  # with fixed budgets: what the line holds


FUNDING = {"grants", "loans"}  # the lines that fund holders


@dataclass
class Conv:
    id: int
    region: int  # index 0..11
    lines: list[Line]


@dataclass
class Prog:
    id: int
    region: int
    convention: int  # index in World.conventions
    operator: int
    opens: int  # ordinals
    closes: int
    share: float
    b_side: bool  # operated by the regional investment centre (convention B)
    capacity: int = 0  # places (0: no limit)


@dataclass
class World:
    """The reference data the population is drawn in; per-region lists follow ``regions``."""

    persons: int  # registry records to write
    seed: int = 1
    regions: list[Any] = field(default_factory=list)
    communes: list[tuple[int, int, str, int]] = field(
        default_factory=list
    )  # id, region, kind, pop.
    partners: dict[str, int] = field(default_factory=dict)
    users: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # manager, approver, cns
    conventions: list[Conv] = field(default_factory=list)
    programmes: list[Prog] = field(default_factory=list)
    services: list[dict[str, int]] = field(default_factory=list)  # per region: kind -> id
    houses: list[list[int]] = field(default_factory=list)  # per region: venue ids
    stops: list[list[int]] = field(default_factory=list)
    sectors: list[int] = field(default_factory=list)
    sector_weights: list[int] = field(default_factory=list)
    chamber: list[int] = field(default_factory=list)  # per region: registers most holders
    centre: list[int] = field(default_factory=list)  # per region: the other convention's side
    # With fixed budgets (the seed conventions), commitments stop where a line would overflow,
    # and the envelopes, pledges and targets are the conventions' own.
    # Who holds a venue's sessions and which counsellor leads them (default: the programme's
    # operator and its counsellor).
    venue_staff: dict[int, tuple[int, int]] = field(default_factory=dict)
    venue_places: dict[int, int] = field(default_factory=dict)  # default 40
    strict_agenda: bool = False
    per_million: dict[str, int] = field(default_factory=dict)  # PER_MILLION, overridden
    fixed_budget: bool = False
    duplicate_share: float = 0.08
    merged_share: float = 0.3


# Shares of the holders' sectors (see docs/how-to/generate-data.md); others share the rest.
SECTOR_WEIGHTS = {
    "trade": 22,
    "agriculture": 14,
    "personal-services": 9,
    "handicrafts": 8,
    "agrifood": 8,
    "textile": 6,
    "tourism": 5,
    "building": 5,
    "transport": 4,
    "business-services": 4,
    "ict": 3,
    "aromatic-plants": 2,
    "argan-oils": 2,
    "fishing": 2,
}


def sectors() -> tuple[list[int], list[int]]:
    from essor.registry.models import Sector

    rows = list(Sector.objects.order_by("code").values_list("pk", "code"))
    return [pk for pk, _ in rows], [SECTOR_WEIGHTS.get(code, 1) for _, code in rows]


def nation_world(persons: int, seed: int = 1) -> World:
    """Partners, users, conventions with their lines, programmes, services, buses and venues."""
    from essor.accompaniment.models import MobileUnit, Service, Venue, VenueKind
    from essor.accounts.models import Partner, PartnerKind
    from essor.accounts.roles import Role
    from essor.accounts.services import user_create
    from essor.conventions.models import (
        BudgetCategory,
        BudgetLine,
        Convention,
        ConventionKind,
        ConventionStatus,
        Party,
        PartyRole,
    )
    from essor.programmes.models import Programme
    from essor.territory.models import Commune, CommuneKind, Region

    world = World(persons=persons, seed=seed)
    world.regions = list(Region.objects.order_by("code"))
    index = {r.pk: i for i, r in enumerate(world.regions)}
    communes = list(Commune.objects.order_by("code"))
    world.communes = [
        (c.pk, index[c.region_id], c.kind, c.population_2024 or 1000) for c in communes
    ]
    world.sectors, world.sector_weights = sectors()

    def partner(code: str, name: str, kind: str, acronym: str = "", region: Any = None) -> None:
        made = Partner.objects.create(
            code=code, name_fr=name, kind=kind, acronym=acronym, region=region
        )
        world.partners[code] = made.pk

    for code, name, kind, acronym in (
        ("anapec", "Agence nationale de promotion de l'emploi", PartnerKind.ANAPEC, "ANAPEC"),
        ("indh", "Initiative nationale pour le développement humain", PartnerKind.INDH, "INDH"),
        ("ofppt", "Office de la formation professionnelle", PartnerKind.TRAINING_INSTITUTION, ""),
        ("tamwilcom", "Société nationale de garantie", PartnerKind.BANK, "Tamwilcom"),
        ("ministere", "Ministère de l'inclusion économique", PartnerKind.MINISTRY, "MIEPEEC"),
        ("cooperation", "Coopération internationale", PartnerKind.DONOR, ""),
    ):
        partner(code, name, kind, acronym)
    for region in world.regions:
        cc = region.code
        partner(f"cr-{cc}", f"Conseil régional {region.name_fr}", "regional_council", "", region)
        partner(f"ccis-{cc}", f"CCIS {region.name_fr}", PartnerKind.CHAMBER, f"CCIS-{cc}", region)
        partner(
            f"cri-{cc}", f"CRI {region.name_fr}", PartnerKind.PUBLIC_AGENCY, f"CRI-{cc}", region
        )
    for code, pk in world.partners.items():
        owner = Partner.objects.get(pk=pk)
        ids = tuple(
            user_create(
                actor=None,
                partner=owner,
                username=f"{code}.{who}",
                password=None,
                roles=[role],
                first_name=who.capitalize(),
                last_name=code.upper(),
            ).pk
            for who, role in (
                ("manager", Role.PROGRAMME_MANAGER),
                ("approver", Role.PROGRAMME_MANAGER),
                ("counsellor", Role.COUNSELLOR),
            )
        )
        world.users[pk] = (ids[0], ids[1], ids[2])

    population = [0] * 12
    for _pk, region_index, _kind, people in world.communes:
        population[region_index] += people
    p = world.partners
    for i, region in enumerate(world.regions):
        cc, name = region.code, region.name_fr
        for side in ("A", "B"):
            a_side = side == "A"
            status = (
                ConventionStatus.SIGNED
                if not a_side and i % 3 == 2
                else ConventionStatus.IN_EXECUTION
            )
            convention = Convention.objects.create(
                reference=f"CONV-{cc}-{side}-2023",
                title_fr=(
                    f"Programme régional d'appui à l'entrepreneuriat — {name}"
                    if a_side
                    else f"INDH et Région {name} : TPE et coopératives rurales"
                ),
                kind=ConventionKind.PARTNERSHIP,
                owner_id=p[f"cr-{cc}"],
                status=status,
                approved_on=date(2022, 12, 15) if a_side else date(2023, 5, 30),
                signed_on=date(2023, 1, 20) if a_side else date(2023, 6, 20),
                start_on=date(2023, 2, 1) if a_side else date(2023, 7, 1),
                end_on=date(2025, 12, 31),
                objectives_fr="Accompagner et financer les porteurs de projets de la région.",
            )
            convention.regions.set([region])
            lines = (
                [
                    (BudgetCategory.TRAINING, f"ccis-{cc}"),
                    (BudgetCategory.GRANTS, f"cr-{cc}"),
                    (BudgetCategory.LOANS, "tamwilcom"),
                ]
                if a_side
                else [(BudgetCategory.TRAINING, f"cri-{cc}"), (BudgetCategory.GRANTS, "indh")]
            )
            made = [
                BudgetLine.objects.create(
                    convention=convention,
                    partner_id=p[code],
                    category=category,
                    label=str(category.label),
                    amount=0,  # set from the commitments once they are drawn
                )
                for category, code in lines
            ]
            parties = (
                [
                    (f"cr-{cc}", [PartyRole.FUNDER, PartyRole.CHAIR]),
                    (f"ccis-{cc}", [PartyRole.IMPLEMENTER, PartyRole.HOST]),
                    ("anapec", [PartyRole.TRAINER]),
                    ("tamwilcom", [PartyRole.FUNDER]),
                ]
                if a_side
                else [
                    (f"cr-{cc}", [PartyRole.FUNDER, PartyRole.CHAIR]),
                    ("indh", [PartyRole.FUNDER]),
                    (f"cri-{cc}", [PartyRole.IMPLEMENTER]),
                    ("ofppt", [PartyRole.TRAINER]),
                ]
            )
            for code, roles in parties:
                Party.objects.create(convention=convention, partner_id=p[code], roles=roles)
            world.conventions.append(
                Conv(convention.pk, i, [Line(b.pk, b.category, b.partner_id) for b in made])
            )
        for side, slug, title, share in PROGRAMMES:
            a_side = side == "A"
            conv_index = len(world.conventions) - (2 if a_side else 1)
            conv = world.conventions[conv_index]
            opens = date(2023, 2, 15) if a_side else date(2023, 7, 15)
            programme = Programme.objects.create(
                code=f"{cc}-{slug}",
                name_fr=f"{title} — {name}",
                operator_id=p[f"ccis-{cc}"] if a_side else p[f"cri-{cc}"],
                capacity=round(scaled(persons, "enrollments") * population[i] / sum(population)),
                opens_on=opens,
                closes_on=date(2025, 10, 31),
                description_fr="Programme d'accompagnement et de financement des TPE.",
            )
            programme.budget_lines.set([line.id for line in conv.lines])
            world.programmes.append(
                Prog(
                    programme.pk,
                    i,
                    conv_index,
                    programme.operator_id,
                    opens.toordinal(),
                    date(2025, 10, 31).toordinal(),
                    share * population[i] / sum(population),
                    not a_side,
                )
            )
        served = [g.id for g in world.programmes if g.region == i]
        kinds: dict[str, int] = {}
        for service_kind, (title_fr, title_ar, hours) in SERVICE_TITLES.items():
            service = Service.objects.create(
                code=f"{cc}-{service_kind.replace('_', '-')}",
                kind=service_kind,
                title_fr=f"{title_fr} ({cc})",
                title_ar=title_ar,
                hours=hours,
            )
            service.programmes.set(served)
            kinds[service_kind] = service.pk
        world.services.append(kinds)
        towns = [c for c in communes if index[c.region_id] == i and c.kind == CommuneKind.URBAN]
        home = max(towns, key=lambda c: c.population_2024 or 0)
        bus = MobileUnit.objects.create(
            name=f"Bus des TPE — {name}", operator_id=p[f"cr-{cc}"], home=home
        )
        houses = Venue.objects.bulk_create(
            Venue(
                kind=VenueKind.HOUSE,
                name=f"Maison des TPE de {c.name_fr}",
                commune=c,
                capacity=40,
                host_id=p[f"ccis-{cc}"],
            )
            for c in towns
        )
        stops = Venue.objects.bulk_create(
            Venue(
                kind=VenueKind.BUS_STOP,
                name=f"Arrêt du bus — {c.name_fr}",
                commune=c,
                capacity=40,
                host_id=p[f"cr-{cc}"],
                mobile_unit=bus,
            )
            for c in communes
            if index[c.region_id] == i and c.kind == CommuneKind.RURAL
        )
        world.houses.append([v.pk for v in houses])
        world.stops.append([v.pk for v in stops])
    world.chamber = [world.partners[f"ccis-{r.code}"] for r in world.regions]
    world.centre = [world.partners[f"cri-{r.code}"] for r in world.regions]
    return world


# --- The load --------------------------------------------------------------------------------

# Written in bulk; on PostgreSQL their indexes and keys are dropped around the load.
HEAVY_TABLES = cols(
    "registry_person registry_personholding registry_personnamekey registry_organisation "
    "registry_organisationholding registry_membership programmes_application programmes_enrollment "
    "accompaniment_session accompaniment_session_counsellors accompaniment_participant "
    "funding_commitment funding_disbursement monitoring_followup generator_trueidentity"
)


def populate(
    world: World, *, say: Say | None = None, progress: bool = True
) -> tuple[dict[str, float], dict[str, int]]:
    """Write the population of ``world``; return the seconds of each step and the counts.

    The tables written here must be empty (their ids are written explicitly)."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for table in HEAVY_TABLES:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                raise NotEmpty(table)
        if postgres:
            cursor.execute("SET synchronous_commit = off")
            # Inside a transaction (the demo's), checks deferred on rows made before must run
            # now: PostgreSQL refuses to alter a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    timer = Timer(say)
    counts: dict[str, int] = {}
    loader = Loader(world, counts, progress=progress)
    heavy = HEAVY_TABLES if postgres else []
    with timer.step("drop indexes and keys"):
        statements = strip(heavy)
    try:
        with timer.step("draws (records, applications, enrollments)"):
            loader.draw()
        with timer.step("persons, holdings, name keys, truth"):
            loader.persons()
        with timer.step("organisations, memberships"):
            loader.organisations()
        with timer.step("applications, enrollments"):
            loader.applications()
        with timer.step("sessions, attendance"):
            loader.sessions()
        with timer.step("commitments, disbursements"):
            loader.funding()
        with timer.step("follow-ups"):
            loader.follow_ups()
    except BaseException:
        # A step failed outside a transaction (the nation): the indexes and keys come back all
        # the same, so that the database is never left without its constraints. (Inside one,
        # the rollback brings them back.)
        if not connection.in_atomic_block:
            rebuild(heavy, statements, progress=progress)
        raise
    with timer.step("indexes and keys"):
        rebuild(heavy, statements, progress=progress)
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with timer.step("ledger, targets, sequences"):
        if not world.fixed_budget:
            loader.ledger()
            loader.targets()
        reset_sequences()
        check_ledger()
    with timer.step("vacuum analyze"), connection.cursor() as cursor:
        # VACUUM cannot run in a transaction (the demo's load is one): ANALYZE then suffices.
        vacuum = postgres and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return timer.steps, counts


class NotEmpty(Exception):
    """A table the generator writes already holds rows."""

    def __init__(self, table: str) -> None:
        super().__init__(table)
        self.table = table


def check_ledger() -> None:
    """The ledger rules the services keep, checked on the bulk-loaded rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM conventions_budgetline l
            WHERE l.amount < (SELECT coalesce(sum(c.amount - c.released), 0)
                              FROM funding_commitment c
                              WHERE c.budget_line_id = l.id
                                AND c.status IN ('pending', 'approved'))
            """
        )
        lines_over = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT count(*) FROM (
                SELECT c.id FROM funding_commitment c
                JOIN funding_disbursement d ON d.commitment_id = c.id
                WHERE d.status IN ('pending', 'approved')
                GROUP BY c.id, c.amount, c.released
                HAVING sum(d.amount) > c.amount - c.released
            ) t
            """
        )
        commitments_over = cursor.fetchone()[0]
        cursor.execute(
            """
            SELECT count(*) FROM conventions_convention v
            WHERE v.envelope < (SELECT coalesce(sum(amount), 0) FROM conventions_budgetline l
                                WHERE l.convention_id = v.id)
            """
        )
        envelopes_over = cursor.fetchone()[0]
    assert (lines_over, commitments_over, envelopes_over) == (0, 0, 0), (
        lines_over,
        commitments_over,
        envelopes_over,
    )


class Loader:
    """Draws the records and writes them; arrays keep what later tables need (compactly)."""

    def __init__(self, world: World, counts: dict[str, int], *, progress: bool = True) -> None:
        self.world = world
        self.counts = counts
        self.n = world.persons
        self.progress = progress

    def scaled(self, name: str) -> int:
        return scaled(self.n, name, self.world.per_million)

    def rng(self, salt: int) -> random.Random:
        return random.Random(self.world.seed * 1_000_003 + salt)

    def sectors(self, rng: random.Random) -> Iterator[int]:
        w = self.world
        stream = weighted(
            rng, {str(pk): share for pk, share in zip(w.sectors, w.sector_weights, strict=True)}
        )
        return (int(pk) for pk in stream)

    def insert(self, table: str, columns: list[str], rows: Any, **options: Any) -> int:
        return insert_rows(table, columns, rows, progress=self.progress, **options)

    # Draws made before any row is written: persons' places, applications, enrollments.
    def draw(self) -> None:
        w, n = self.world, self.n
        rng = self.rng(101)
        self.records: Records = draw_records(
            n,
            w.communes,
            seed=w.seed,
            duplicate_share=w.duplicate_share,
            merged_share=w.merged_share,
        )
        self.commune, self.region = self.records.commune, self.records.region
        # Applications go to records still in use (a merged record's went to the survivor).
        pools: list[array[int]] = [array("i") for _ in w.regions]
        for pk, (r, merged) in enumerate(zip(self.region, self.records.merged, strict=True), 1):
            if not merged:
                pools[r].append(pk)
        self.everyone = array("i", (pk for pool in pools for pk in pool))

        # Applications, in the order they were submitted (ids grow with time).
        total = self.scaled("applications")
        programmes = w.programmes
        drawn = rng.choices(range(len(programmes)), [g.share for g in programmes], k=total)
        days = [
            programmes[g].opens + int(rng.random() * (programmes[g].closes - programmes[g].opens))
            for g in drawn
        ]
        order = sorted(range(total), key=days.__getitem__)
        self.app_prog = array("B", (drawn[i] for i in order))
        self.app_day = array("i", (days[i] for i in order))
        del drawn, days, order
        # One application per person and programme (a second one is refused by the service):
        # a person already applied is drawn again, a few times, then the application is not
        # made (rare: only when nearly the whole region has applied).
        applied: set[int] = set()
        self.app_person = array("i")
        made = array("i")
        for i, g in enumerate(self.app_prog):
            pool = pools[programmes[g].region]
            for _attempt in range(8):
                person = pool[rng.randrange(len(pool))]
                if person * 256 + g not in applied:
                    applied.add(person * 256 + g)
                    self.app_person.append(person)
                    made.append(i)
                    break
        if len(made) < len(self.app_prog):  # nearly everyone applied: fewer applications
            self.app_prog = array("B", (self.app_prog[i] for i in made))
            self.app_day = array("i", (self.app_day[i] for i in made))
            total = len(made)
        del applied, made
        # Holders: the chamber (convention A's operator) and/or the investment centre (B's).
        self.sides = bytearray(n + 1)
        for g, person in zip(self.app_prog, self.app_person, strict=True):
            self.sides[person] |= 2 if programmes[g].b_side else 1

        # Enrollments: exactly the scaled count, among applications submitted early enough.
        enrolled = self.scaled("enrollments")
        early = [i for i, d in enumerate(self.app_day) if d <= AS_OF.toordinal() - 30]
        chosen = sorted(rng.sample(early, min(enrolled, len(early))))
        statuses = weighted(rng, STATUS_WEIGHTS)
        self.app_status = [next(statuses) for _ in range(total)]
        # A programme enrolls no more than its capacity (less a few places left for the
        # files a user takes through selection): the others wait for a place.
        room = {
            g: p.capacity - max(10, p.capacity // 20)
            for g, p in enumerate(programmes)
            if p.capacity
        }
        kept = []
        for i in chosen:
            g = self.app_prog[i]
            if g in room:
                if room[g] <= 0:
                    self.app_status[i] = "waiting"
                    continue
                room[g] -= 1
            kept.append(i)
        chosen = kept
        for i in chosen:
            self.app_status[i] = "enrolled"
        for i, status in enumerate(self.app_status):  # selected files take a place too
            g = self.app_prog[i]
            if status == "selected" and g in room:
                if room[g] <= 0:
                    self.app_status[i] = "waiting"
                else:
                    room[g] -= 1
        self.enr_app = array("i", chosen)
        self.enr_start = array(
            "i", (min(self.app_day[i] + rng.randint(20, 90), AS_OF.toordinal()) for i in chosen)
        )
        # Exits: the scaled count, among enrollments whose support ended by the end of 2025.
        ends = [s + rng.randint(90, 360) for s in self.enr_start]
        could = [e for e, end in enumerate(ends) if end <= AS_OF.toordinal()]
        exiting = rng.sample(could, min(self.scaled("exited"), len(could)))
        self.enr_exit = array("i", [0]) * len(chosen)
        for e in exiting:
            self.enr_exit[e] = ends[e]
        self.enr_end = array("i", ends)  # support ends (exit, or the planned end)

    def persons(self) -> None:
        """Persons, their holdings and name keys, and the truth (record -> person)."""
        w, records = self.world, self.records

        def holders(pk: int) -> list[int]:
            r, sides = self.region[pk - 1], self.sides[pk]
            # A second record was entered by the other partner of the region.
            first = w.centre[r] if records.original[pk - 1] else w.chamber[r]
            held = [first]
            if sides & 1 and w.chamber[r] != first:
                held.append(w.chamber[r])
            if sides & 2 and w.centre[r] != first:
                held.append(w.centre[r])
            return held

        span = AS_OF.toordinal() - FIRST.toordinal()
        registered = self.rng(111)
        n = self.n
        days = array("i", (FIRST.toordinal() + registered.randrange(span) for _ in range(n)))
        for app, day in zip(self.app_person, self.app_day, strict=True):
            days[app - 1] = min(days[app - 1], day)  # entered at the latest when they applied
        for i, original in enumerate(records.original):
            if original:  # the first record was entered first
                days[original - 1] = min(days[original - 1], days[i])
        holdings: list[tuple[Any, ...]] = []
        keys: list[tuple[int, str]] = []

        def rows() -> Iterator[tuple[Any, ...]]:
            for row, held, named in person_rows(
                records,
                seed=w.seed,
                holders=holders,
                registered_on=lambda pk: days[pk - 1],
                search=connection.vendor == "postgresql",
            ):
                holdings.extend(held)
                keys.extend(named)
                yield row

        # The persons first (holdings and keys gathered meanwhile), then the two other tables.
        self.insert("registry_person", PERSON_COLUMNS, rows(), total=n, desc="persons")
        self.insert(
            "registry_personholding",
            ["person_id", "partner_id", "since", "source"],
            holdings,
            desc="holdings",
        )
        self.insert("registry_personnamekey", ["person_id", "key"], keys, desc="name keys")
        holdings.clear()
        keys.clear()
        self.insert(
            "generator_trueidentity",
            ["record", "entity"],
            ((i + 1, e) for i, e in enumerate(records.entity)),
            total=n,
            desc="truth",
        )
        self.counts["persons"] = n
        self.counts["entities"] = records.entities
        self.counts["merged"] = sum(records.merged)

    def organisations(self) -> None:
        w, rng = self.world, self.rng(202)
        sectors = self.sectors(rng)
        total = self.scaled("organisations")
        kinds = weighted(rng, ORG_KINDS)
        chamber = w.chamber
        first, span = date(2021, 1, 1).toordinal(), AS_OF.toordinal() - date(2021, 1, 1).toordinal()
        self.founded: dict[int, int] = {}  # founder person -> organisation
        founders = array("i")
        created = array("i")
        for _ in range(total):
            if rng.random() < 0.4:
                e = rng.randrange(len(self.enr_app))
                person = self.app_person[self.enr_app[e]]
                if rng.random() < 0.6:
                    day = min(self.enr_start[e] + rng.randint(30, 400), AS_OF.toordinal())
                else:
                    day = first + rng.randrange(span)
            else:
                person = self.everyone[rng.randrange(len(self.everyone))]
                day = first + rng.randrange(span)
            founders.append(person)
            created.append(day)

        def rows() -> Iterator[tuple[Any, ...]]:
            for pk in range(1, total + 1):
                kind = next(kinds)
                person, day = founders[pk - 1], date.fromordinal(created[pk - 1])
                self.founded.setdefault(person, pk)
                word_fr, word_ar = ORG_WORDS[pk % len(ORG_WORDS)]
                prefix_fr, prefix_ar = ORG_PREFIX[kind]
                formal = kind in FORMAL
                stamp = at(day)
                yield (
                    pk,
                    stamp,
                    stamp,
                    "",
                    kind,
                    f"{prefix_fr} {word_fr} {pk}",
                    f"{prefix_ar} {word_ar} {pk}",
                    f"{pk:012d}{pk % 997:03d}" if formal or kind == "auto_entrepreneur" else "",
                    f"{40000000 + pk}" if formal else "",
                    f"{10000 + pk}" if formal else "",
                    "",
                    "",
                    f"COOP-{pk}" if kind == "cooperative" else "",
                    f"AE{pk:08d}" if kind == "auto_entrepreneur" else "",
                    next(sectors),
                    day,
                    self.commune[person - 1],
                    rng.randint(0, 4) if kind != "informal" else None,
                    rng.randint(0, 6) if kind != "informal" else None,
                    rng.randrange(50, 2000) * 1000 if formal else None,
                    chamber[self.region[person - 1]],
                )

        columns = cols(
            "id created_at updated_at archive_reason kind name_fr name_ar ice tax_id rc_number "
            "rc_court cnss cooperative_registration rnae_number sector_id created_on commune_id "
            "employees_women employees_men annual_turnover registered_by_id"
        )
        self.counts["organisations"] = self.insert(
            "registry_organisation", columns, rows(), total=total, desc="organisations"
        )
        self.organisation_count = total
        self.insert(
            "registry_membership",
            ["id", "created_at", "updated_at", "organisation_id", "person_id", "role", "since"],
            (
                (pk, stamp, stamp, pk, founders[pk - 1], "founder", stamp.date())
                for pk in range(1, total + 1)
                for stamp in [at(created[pk - 1])]
            ),
            total=total,
            desc="memberships",
        )
        self.insert(
            "registry_organisationholding",
            ["id", "organisation_id", "partner_id", "since", "source"],
            (
                (pk, pk, chamber[self.region[founders[pk - 1] - 1]], at(created[pk - 1]), "bench")
                for pk in range(1, total + 1)
            ),
            total=total,
            desc="organisation holdings",
        )
        self.counts["memberships"] = total

    def applications(self) -> None:
        w, rng = self.world, self.rng(303)
        sectors = self.sectors(rng)
        programmes = w.programmes
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

        def receipt(pk: int, g: Prog, code: str) -> str:
            # A bijection of the id on 40 bits, written in the app's alphabet: unique.
            x = (pk * 0x9E3779B97) % (1 << 40)
            body = "".join(alphabet[(x >> (5 * k)) & 31] for k in range(8))
            return f"{code}-{body[:4]}-{body[4:]}"

        codes = [f"{w.regions[g.region].code}{'B' if g.b_side else 'A'}" for g in programmes]

        def rows() -> Iterator[tuple[Any, ...]]:
            for i, (g_index, person, day) in enumerate(
                zip(self.app_prog, self.app_person, self.app_day, strict=True)
            ):
                pk = i + 1
                g = programmes[g_index]
                staff = rng.random() < 0.6
                cost = rng.randrange(20, 300) * 1000
                stamp = at(day)
                status = self.app_status[i]
                yield (
                    pk,
                    stamp,
                    stamp,
                    g.operator,
                    g.id,
                    person,
                    receipt(pk, g, codes[g_index]),
                    "staff" if staff else "public",
                    status,
                    "Projet de TPE",
                    "",
                    next(sectors),
                    cost,
                    cost * rng.randint(30, 80) // 100,
                    cost // 10,
                    date.fromordinal(day),
                    "",
                    "Raisons personnelles" if status == "withdrawn" else "",
                    "",
                    w.users[g.operator][0] if staff else None,
                )

        columns = cols(
            "id created_at updated_at holder_id programme_id person_id receipt channel status "
            "project_title project_description sector_id project_cost requested own_contribution "
            "submitted_on interview_note withdrawal_reason submission_key entered_by_id"
        )
        total = len(self.app_prog)
        self.counts["applications"] = self.insert(
            "programmes_application", columns, rows(), total=total, desc="applications"
        )
        outcomes = weighted(
            rng, {"enterprise_created": 45, "employed": 20, "dropped_out": 20, "referred": 15}
        )
        self.enr_outcome: list[str] = []

        def enrollments() -> Iterator[tuple[Any, ...]]:
            for e, (app, start, exit_day) in enumerate(
                zip(self.enr_app, self.enr_start, self.enr_exit, strict=True)
            ):
                outcome = next(outcomes) if exit_day else ""
                self.enr_outcome.append(outcome)
                stage = (
                    rng.choice(["launch", "growth"])
                    if outcome == "enterprise_created"
                    else rng.choice(["idea", "preparation", "creation"])
                )
                yield (
                    e + 1,
                    at(start),
                    at(exit_day or start),
                    app + 1,
                    stage,
                    date.fromordinal(start),
                    date.fromordinal(exit_day) if exit_day else None,
                    outcome,
                )

        self.counts["enrollments"] = self.insert(
            "programmes_enrollment",
            cols("id created_at updated_at application_id stage started_on exited_on exit_outcome"),
            enrollments(),
            total=len(self.enr_app),
            desc="enrollments",
        )

    def sessions(self) -> None:
        """Sessions go where holders are enrolled: each draws its participants among the
        programme's holders enrolled in that month (support from its start to its end)."""
        w, rng = self.world, self.rng(404)
        base = FIRST.year * 12
        pools: dict[tuple[int, int], list[int]] = {}
        for e, app in enumerate(self.enr_app):
            g = self.app_prog[app]
            person = self.app_person[app]
            start = date.fromordinal(self.enr_start[e])
            end = date.fromordinal(min(self.enr_end[e], AS_OF.toordinal()))
            for m in range(start.year * 12 + start.month - 1, end.year * 12 + end.month):
                pools.setdefault((g, m - base), []).append(person)
        for key, pool in pools.items():
            pools[key] = list(dict.fromkeys(pool))  # a holder enrolled twice counts once
        keys = sorted(pools)
        total = self.scaled("sessions")
        drawn = rng.choices(keys, [len(pools[k]) for k in keys], k=total)
        drawn.sort(key=lambda k: k[1])  # ids grow with time
        kinds = weighted(rng, {k: v[0] for k, v in SESSION_KINDS.items()})
        session_cols = cols(
            "id created_at updated_at holder_id service_id venue_id programme_id starts_at ends_at "
            "capacity series reported_at"
        )
        participants: list[tuple[int, int, int, datetime]] = []  # session, counsellor, k, end
        self.session_people: list[list[int]] = []

        taken: set[tuple[int, date, int]] = set()
        led: set[tuple[int, date, int]] = set()
        bus_days: dict[tuple[int, date], int] = {}

        def sessions() -> Iterator[tuple[Any, ...]]:
            pk = 0
            for g_index, month in drawn:
                g = w.programmes[g_index]
                year, mon = divmod(base + month, 12)
                kind = next(kinds)
                _share, low, high = SESSION_KINDS[kind]
                pool = pools[(g_index, month)]
                people = rng.sample(pool, min(rng.randint(low, high), len(pool)))
                # A free slot: a venue holds one session at a time, a counsellor leads one at a
                # time, the bus stops in one commune a day. With a strict agenda (demo, region)
                # a session without a free slot that month is not held; at nation scale the
                # last draw is kept (the sessions are there to weigh the dashboards).
                for _attempt in range(12 if w.strict_agenda else 6):
                    day = date(year, mon + 1, rng.randint(1, 28))
                    while day.weekday() >= 5:  # Monday to Friday, evenly
                        day = date(year, mon + 1, rng.randint(1, 28))
                    bus = rng.random() >= 0.7
                    venue = rng.choice(w.stops[g.region] if bus else w.houses[g.region])
                    hour = rng.choice((8, 13))  # 9:00 or 14:00 in Morocco
                    holder, counsellor = w.venue_staff.get(
                        venue, (g.operator, w.users[g.operator][2])
                    )
                    stop = bus_days.get((g.region, day))
                    busy = (
                        (venue, day, hour) in taken
                        or (counsellor, day, hour) in led
                        or (bus and stop is not None and stop != venue)
                    )
                    if not busy:
                        break
                else:
                    if w.strict_agenda:
                        continue
                pk += 1
                taken.add((venue, day, hour))
                led.add((counsellor, day, hour))
                if bus:
                    bus_days[(g.region, day)] = venue
                people = people[: w.venue_places.get(venue, 40)]
                starts = at(day, hour)
                ends = starts + timedelta(hours=rng.randint(2, 4))
                self.session_people.append(people)
                participants.append((pk, counsellor, len(people), ends))
                yield (
                    pk,
                    starts - timedelta(days=14),
                    ends,
                    holder,
                    w.services[g.region][kind],
                    venue,
                    g.id,
                    starts,
                    ends,
                    max(len(people), min(20, w.venue_places.get(venue, 40))),
                    "",
                    ends + timedelta(days=1),
                )

        self.counts["sessions"] = self.insert(
            "accompaniment_session", session_cols, sessions(), total=total, desc="sessions"
        )
        pools.clear()
        self.insert(
            "accompaniment_session_counsellors",
            ["id", "session_id", "user_id"],
            ((pk, pk, counsellor) for pk, counsellor, _k, _end in participants),
            total=len(participants),
            desc="session counsellors",
        )
        # Every generated session is reported, so everyone in it is marked present or absent.
        presence = weighted(rng, {"t": 88, "f": 12})

        def attendance() -> Iterator[tuple[Any, ...]]:
            pk = 0
            for (session, counsellor, _k, ends), people in zip(
                participants, self.session_people, strict=True
            ):
                for person in people:
                    pk += 1
                    mark = next(presence)
                    if mark == "-":
                        yield (pk, session, person, True, None, None, None)
                    else:
                        yield (pk, session, person, True, mark == "t", counsellor, ends)

        expected = sum(k for _s, _c, k, _e in participants)
        self.counts["participants"] = self.insert(
            "accompaniment_participant",
            ["id", "session_id", "person_id", "expected", "present", "marked_by_id", "marked_at"],
            attendance(),
            total=expected,
            desc="attendance",
        )
        del self.session_people

    def funding(self) -> None:
        """Commitments of enrolled holders on their programme's lines, then their tranches."""
        w, rng = self.world, self.rng(505)
        total = min(self.scaled("commitments"), len(self.enr_app))
        chosen = sorted(rng.sample(range(len(self.enr_app)), total))
        statuses = weighted(rng, {"approved": 920, "pending": 30, "rejected": 25, "cancelled": 25})
        self.line_used: dict[int, int] = {}
        commitments: list[tuple[Any, ...]] = []
        pk = 0
        for e in chosen:
            app = self.enr_app[e]
            g = w.programmes[self.app_prog[app]]
            if g.convention < 0:  # a programme funded outside any convention of this world
                continue
            lines = [
                x
                for x in w.conventions[g.convention].lines
                if x.category in FUNDING and x.partner in w.users
            ]
            if not lines:
                continue
            loans = [x for x in lines if x.category == "loans"]
            grants = [x for x in lines if x.category == "grants"] or lines
            line = loans[0] if loans and rng.random() < 0.35 else rng.choice(grants)
            kind = "honour_loan" if line.category == "loans" else "grant"
            if kind == "honour_loan":
                amount = rng.randrange(30, 301) * 500
            else:
                amount = rng.randrange(10, 141) * 500
            holder = self.app_person[app]
            person: int | None = holder
            organisation = None
            if rng.random() < 0.2:  # the holder's enterprise, or another one, is funded
                organisation = self.founded.get(holder) or rng.randint(1, self.organisation_count)
                person = None
            day = min(self.enr_start[e] + rng.randint(15, 120), AS_OF.toordinal())
            status = next(statuses)
            if status == "pending" and amount <= THRESHOLD:
                status = "approved"  # under the threshold, the service approves at once
            author, approver, _counsellor = w.users[line.partner]
            decided = status in ("approved", "rejected")
            used = self.line_used.get(line.id, 0) + amount
            if w.fixed_budget and used > line.amount * 9 // 10:
                continue  # the line is nearly spent: this holder waits for the next envelope
            self.line_used[line.id] = used
            pk += 1
            commitments.append(
                (
                    pk,
                    at(day),
                    at(day),
                    line.partner,
                    line.id,
                    g.id,
                    person,
                    organisation,
                    kind,
                    amount,
                    amount * rng.randint(110, 250) // 100,
                    date.fromordinal(day),
                    "Démarrage de l'activité",
                    status,
                    0,
                    author,
                    approver if decided and amount > THRESHOLD else None,
                    at(min(day + rng.randint(0, 10), AS_OF.toordinal()), 11) if decided else None,
                    "Dossier incomplet" if status == "rejected" else "",
                )
            )
        columns = cols(
            "id created_at updated_at holder_id budget_line_id programme_id person_id "
            "organisation_id kind amount project_cost committed_on purpose status released "
            "author_id approver_id decided_at decision_note"
        )
        self.counts["commitments"] = self.insert(
            "funding_commitment", columns, commitments, total=len(commitments), desc="commitments"
        )
        end = AS_OF.toordinal()

        def tranches() -> Iterator[tuple[Any, ...]]:
            pk = 0
            for c in commitments:
                if c[13] != "approved":
                    continue
                amount, kind, author = c[9], c[8], c[15]
                approver = w.users[c[3]][1]
                splits = [[100], [60, 40], [40, 30, 30]]
                parts = rng.choices(splits, [40, 60, 0] if kind == "grant" else [30, 40, 30])[0]
                shares = [amount * s // 100 for s in parts[:-1]]
                shares.append(amount - sum(shares))
                day = c[11].toordinal() + rng.randint(15, 60)
                tranche = 0
                for index, share in enumerate(shares):
                    if day > end:
                        break
                    last = index == len(shares) - 1
                    pending = last and day > end - 45 and rng.random() < 0.5
                    reversed_ = not pending and rng.random() < 0.015
                    while True:
                        tranche += 1
                        pk += 1
                        status = "pending" if pending else "reversed" if reversed_ else "approved"
                        yield (
                            pk,
                            at(day),
                            at(day),
                            c[0],
                            tranche,
                            share,
                            date.fromordinal(day),
                            f"OV-{pk:08d}",
                            status,
                            author,
                            approver if status != "pending" and share > THRESHOLD else None,
                            None if pending else at(day, 12),
                            "Virement rejeté par la banque" if reversed_ else "",
                        )
                        if not reversed_:
                            break
                        # A reversed tranche is paid again as the next one, if in time.
                        day += rng.randint(15, 45)
                        reversed_ = False
                        if day > end:
                            break
                    day += rng.randint(60, 180)

        self.counts["disbursements"] = self.insert(
            "funding_disbursement",
            cols(
                "id created_at updated_at commitment_id tranche amount paid_on reference status "
                "author_id approver_id decided_at decision_note"
            ),
            tranches(),
            desc="disbursements",
        )

    def follow_ups(self) -> None:
        from essor.monitoring.services import add_months

        w, rng = self.world, self.rng(606)
        statuses = weighted(rng, {"done": 75, "unreachable": 13, "due": 12})
        channels = weighted(rng, {"phone": 70, "visit": 20, "office": 10})
        survival = {6: 0.82, 12: 0.74, 24: 0.66}

        def rows() -> Iterator[tuple[Any, ...]]:
            pk = 0
            for e, exit_day in enumerate(self.enr_exit):
                if not exit_day:
                    continue
                exited = date.fromordinal(exit_day)
                g = w.programmes[self.app_prog[self.enr_app[e]]]
                counsellor = w.users[g.operator][2]
                created = self.enr_outcome[e] == "enterprise_created"
                for wave in (6, 12, 24):
                    pk += 1
                    due = add_months(exited, wave)
                    status = next(statuses) if due <= AS_OF else "due"
                    done = None
                    if status != "due":
                        done = min(due + timedelta(days=rng.randint(0, 45)), AS_OF)
                    active = jobs = kept = turnover = None
                    if status == "done":
                        active = rng.random() < survival[wave]
                        jobs = rng.randint(0, 3) + (1 if created else 0) if active else 0
                        kept = rng.randint(0, jobs)
                        turnover = rng.randrange(30, 600) * 1000 if active else 0
                    yield (
                        pk,
                        at(exited),
                        at(done or exited),
                        e + 1,
                        wave,
                        due,
                        status,
                        done,
                        next(channels) if done else "",
                        active,
                        jobs,
                        kept,
                        turnover,
                        "",
                        counsellor if done else None,
                    )

        self.counts["follow_ups"] = self.insert(
            "monitoring_followup",
            cols(
                "id created_at updated_at enrollment_id wave due_on status done_on channel active "
                "jobs_created jobs_kept turnover needs surveyed_by_id"
            ),
            rows(),
            total=3 * sum(1 for x in self.enr_exit if x),
            desc="follow-ups",
        )

    def ledger(self) -> None:
        """Line amounts cover their commitments (with a margin), envelopes cover the lines,
        the parties pledge the envelope and pay part of it."""
        from essor.conventions.models import BudgetLine, Convention, PartnerPayment, Party

        w = self.world
        amounts: dict[int, int] = {}
        for conv in w.conventions:
            for line in conv.lines:
                used = self.line_used.get(line.id, 0)
                if line.category == "training":
                    used = 500_000 + 40 * self.n  # a training budget that grows with the scale
                amount = -(-used * 112 // 100 // 100_000) * 100_000
                BudgetLine.objects.filter(pk=line.id).update(amount=amount)
                amounts[line.id] = amount
            envelope = -(-sum(amounts[x.id] for x in conv.lines) * 105 // 100 // 10**6)
            envelope *= 10**6
            Convention.objects.filter(pk=conv.id).update(envelope=envelope)
            parties = list(Party.objects.filter(convention_id=conv.id).order_by("pk"))
            shares = [45, 10, 15, 30] if len(conv.lines) == 3 else [40, 45, 5, 10]
            pledges = [envelope * s // 100 for s in shares[:-1]]
            pledges.append(envelope - sum(pledges))
            manager = w.users[parties[0].partner_id][0]
            for party, pledged in zip(parties, pledges, strict=True):
                Party.objects.filter(pk=party.pk).update(pledged=pledged)
                for year, paid in ((2023, 90), (2024, 90), (2025, 60)):
                    call = pledged // 3
                    PartnerPayment.objects.create(
                        party=party,
                        kind="call",
                        amount=call,
                        on=date(year, 3, 1),
                        reference=f"AF-{year}-{party.pk}",
                        recorded_by_id=manager,
                    )
                    PartnerPayment.objects.create(
                        party=party,
                        kind="receipt",
                        amount=call * paid // 100,
                        on=date(year, 5, 15),
                        reference=f"VR-{year}-{party.pk}",
                        recorded_by_id=manager,
                    )

    def targets(self) -> None:
        """Targets a little above what was reached, so that the dashboards show progress."""
        from essor.conventions.models import Target

        enrolled: dict[int, int] = {}
        for app in self.enr_app:
            index = self.world.programmes[self.app_prog[app]].convention
            enrolled[index] = enrolled.get(index, 0) + 1
        rows = []
        for i, conv in enumerate(self.world.conventions):
            reach = enrolled.get(i, 0)
            for indicator, value in (
                ("holders_coached", reach * 115 // 100),
                ("projects_supported", reach * 80 // 100),
                ("enterprises_created", reach * 30 // 100),
                ("jobs_created", reach * 60 // 100),
                ("women_share", 40),
                ("young_share", 50),
            ):
                rows.append(
                    Target(
                        convention_id=conv.id,
                        indicator=indicator,
                        value=value,
                        due_on=AS_OF,
                    )
                )
        Target.objects.bulk_create(rows)
