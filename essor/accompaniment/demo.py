"""Demo accompaniment: the services catalogue, the CCIS's maison des TPE in Tanger, the
council's bus with a confirmed tour, a group of women's sewing cooperatives, sessions with
attendance taken."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from essor.accounts.models import Partner, User
from essor.territory.models import Commune

from . import planner, services
from .models import Group, MobileUnit, Service, Tour, TourStop, Venue, VenueKind

SERVICES = [
    (
        "gestion-simplifiee",
        "training",
        "Gestion simplifiée de la TPE",
        "التدبير المبسط للمقاولة الصغيرة جدا",
        12,
    ),
    ("statut-ae", "formalities", "Devenir auto-entrepreneur", "الحصول على صفة المقاول الذاتي", 3),
    ("cooperative", "formalities", "Créer sa coopérative", "تأسيس التعاونية", 3),
    ("coaching", "coaching", "Coaching individuel", "المواكبة الفردية", 2),
    ("conseil-groupe", "group_counselling", "Conseil de groupe", "الاستشارة الجماعية", 3),
    ("marketing", "training", "Vendre ses produits", "تسويق المنتجات", 6),
    (
        "salon-ess",
        "fair",
        "Salon régional de l'ESS",
        "المعرض الجهوي للاقتصاد الاجتماعي والتضامني",
        8,
    ),
    (
        "mentorat",
        "mentoring",
        "Mentorat par un chef d'entreprise",
        "المواكبة من طرف رئيس مقاولة",
        6,
    ),
]
# The maisons des TPE of the chamber: Tanger first, then the region's other large towns.
HOUSES = 8


def load_demo_catalogue(*, council: Partner, chamber: Partner) -> None:
    """The services, the chamber's maisons des TPE in the large towns, and the council's bus."""
    if Service.objects.exists():
        return
    from essor.programmes.models import Programme

    programmes = list(Programme.objects.filter(code__in=["tpe-ess-tta", "ess-tta-2023", "indh-p3"]))
    for code, kind, title_fr, title_ar, hours in SERVICES:
        service = Service.objects.create(
            code=code, kind=kind, title_fr=title_fr, title_ar=title_ar, hours=hours
        )
        service.programmes.add(*programmes)
    tanger = Commune.objects.get(code="01.511.01.0")
    towns = Commune.objects.filter(region__code="01", kind="urban").exclude(pk=tanger.pk)
    for index, town in enumerate(
        [tanger, *towns.order_by("-population_2024", "code")[: HOUSES - 1]]
    ):
        Venue.objects.create(
            kind=VenueKind.HOUSE,
            name=f"Maison des TPE de {town.name_fr}",
            commune=town,
            address="Chambre de commerce, Tanger" if index == 0 else "",
            capacity=30,
            host=chamber,
        )
    home = (
        Commune.objects.filter(region__code="01", kind="rural", latitude__isnull=False)
        .order_by("code")
        .first()
    )
    if home is not None:
        MobileUnit.objects.create(
            name="Bus « maison des TPE » de la région",
            operator=council,
            capacity=20,
            equipment="Salle de formation de 20 places, vidéoprojecteur, connexion 4G",
            home=home,
        )


def load_demo_accompaniment(
    *, council: Partner, chamber: Partner, counsellor: User, manager: User
) -> None:
    """A confirmed tour of the bus with attendance taken, a group of women's sewing
    cooperatives, and a weekly series at the maison des TPE of Tanger."""
    from essor.registry.models import Person, Sector

    load_demo_catalogue(council=council, chamber=chamber)
    bus = MobileUnit.objects.filter(operator=council).order_by("pk").first()
    if bus is None or Tour.objects.exists():
        return
    home = bus.home
    house = Venue.objects.get(kind=VenueKind.HOUSE, name="Maison des TPE de Tanger")
    start = date(2026, 1, 5)  # after the generated years: the bus is free all that fortnight
    stops = planner.plan(region_code="01", home=home, start=start, end=start + timedelta(days=11))
    tour = Tour.objects.create(
        mobile_unit=bus,
        region=home.region,
        start_on=start,
        end_on=start + timedelta(days=11),
        confirmed=True,
    )
    gestion = Service.objects.get(code="gestion-simplifiee")
    # The story's own holders, registered last (after any generated population).
    holders = list(
        Person.objects.filter(commune__region__code="01", archived_at__isnull=True).order_by("-pk")[
            :6
        ]
    )
    for stop in stops[:3]:
        venue = Venue.objects.filter(
            kind=VenueKind.BUS_STOP, commune=stop.commune, mobile_unit=bus
        ).first() or Venue.objects.create(
            kind=VenueKind.BUS_STOP,
            name=f"Arrêt du bus — {stop.commune.name_fr}",
            commune=stop.commune,
            capacity=bus.capacity,
            host=council,
            mobile_unit=bus,
        )
        TourStop.objects.create(
            tour=tour, on=stop.on, commune=stop.commune, venue=venue, distance_km=stop.distance_km
        )
        begin = timezone.make_aware(datetime.combine(stop.on, time(9, 30)))
        session = services.session_create(
            actor=manager,
            holder=council,
            service=gestion,
            venue=venue,
            starts_at=begin,
            ends_at=begin + timedelta(hours=3),
            counsellors=[counsellor],
            capacity=20,
        )[0]
        for person in holders[:4]:
            services.participant_add(actor=manager, session=session, person=person)
        marks = {p.pk: index % 3 != 2 for index, p in enumerate(session.participants.all())}
        services.attendance_mark(actor=counsellor, session=session, marks=marks)
    sector = Sector.objects.order_by("pk").first()
    if sector is not None:
        group = Group.objects.create(
            holder=chamber,
            name="Coopératives de couture de Tétouan",
            sector=sector,
            counsellor=counsellor,
            started_on=date(2025, 11, 3),
        )
        services.group_log_add(
            actor=counsellor,
            group=group,
            on=date(2025, 12, 8),
            needs="Accès aux foires régionales ; emballage des produits",
            problems="Prix de vente trop bas face aux intermédiaires",
            solutions="Vente groupée au salon de l'ESS de Tanger ; devis commun d'emballage",
            follow_up_by="Conseiller CCIS",
        )
    begin = timezone.make_aware(datetime.combine(date(2026, 1, 6), time(14, 0)))
    services.session_create(
        actor=manager,
        holder=chamber,
        service=Service.objects.get(code="statut-ae"),
        venue=house,
        starts_at=begin,
        ends_at=begin + timedelta(hours=3),
        counsellors=[counsellor],
        weeks=4,
    )


def load_demo_this_week(*, chamber: Partner, manager: User) -> None:
    """Whatever day the demo is opened, the maison's counsellor has work: a session last week
    whose attendance is still to take, and two sessions this week (with a generated population
    only: the holders are the programme's enrolled ones)."""
    from essor.programmes.models import Enrollment

    counsellor = User.objects.filter(username="counsellor.maison").first()
    house = Venue.objects.filter(kind=VenueKind.HOUSE, host=chamber).order_by("pk").first()
    holders = [
        e.application.person
        for e in Enrollment.objects.filter(
            application__person__isnull=False,
            application__person__merged_into__isnull=True,
            application__programme__code="tpe-ess-tta",
        )
        .select_related("application__person")
        .order_by("-started_on", "pk")[:12]
    ]
    if counsellor is None or house is None or not holders:
        return
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    plans = [
        ("gestion-simplifiee", monday - timedelta(days=6), time(9, 0)),  # last Tuesday
        ("marketing", monday + timedelta(days=1), time(14, 0)),
        ("conseil-groupe", monday + timedelta(days=3), time(9, 0)),
    ]
    for code, day, hour in plans:
        begin = timezone.make_aware(datetime.combine(day, hour))
        if house.sessions.filter(starts_at=begin).exists():
            continue
        session = services.session_create(
            actor=manager,
            holder=chamber,
            service=Service.objects.get(code=code),
            venue=house,
            starts_at=begin,
            ends_at=begin + timedelta(hours=3),
            counsellors=[counsellor],
        )[0]
        for person in holders[:10]:
            if person is not None:
                services.participant_add(actor=manager, session=session, person=person)
