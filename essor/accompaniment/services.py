"""Writes of accompaniment: sessions without double-booking, attendance once per person,
reports that lock a session, groups and their log."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.core.audit import save_audited

from .models import Group, GroupLog, Participant, Service, Session, Venue

if TYPE_CHECKING:
    from essor.accounts.models import Partner, User
    from essor.programmes.models import Programme
    from essor.registry.models import Person


def _overlapping(starts_at: datetime, ends_at: datetime, *, excluding: int | None) -> Any:
    rows = Session.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
    return rows.exclude(pk=excluding) if excluding else rows


def _check_booking(
    *,
    venue: Venue,
    counsellors: list[User],
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    excluding: int | None = None,
) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A session ends after it starts.")})
    if capacity > venue.capacity:
        raise ValidationError(
            {
                "capacity": _("%(venue)s has %(places)s places.")
                % {"venue": venue, "places": venue.capacity}
            }
        )
    overlapping = _overlapping(starts_at, ends_at, excluding=excluding)
    if overlapping.filter(venue=venue).exists():
        raise ValidationError(
            {"venue": _("%(venue)s is already booked at that time.") % {"venue": venue}}
        )
    if (
        venue.mobile_unit_id
        and overlapping.filter(venue__mobile_unit_id=venue.mobile_unit_id).exists()
    ):
        raise ValidationError({"venue": _("The bus is already elsewhere at that time.")})
    for counsellor in counsellors:
        if overlapping.filter(counsellors=counsellor).exists():
            raise ValidationError(
                {
                    "counsellors": _("%(name)s already runs a session at that time.")
                    % {"name": counsellor.get_full_name() or counsellor.username}
                }
            )


@transaction.atomic
def session_create(
    *,
    actor: User | None,
    holder: Partner,
    service: Service,
    venue: Venue,
    starts_at: datetime,
    ends_at: datetime,
    counsellors: Iterable[User],
    capacity: int = 20,
    group: Group | None = None,
    weeks: int = 1,
    programme: Programme | None = None,
) -> list[Session]:
    """One session, or the same one every week for ``weeks`` weeks (a recurring schedule).

    Without a ``programme``, a session of a service that serves one programme is delivered
    under it; a service shared by several programmes leaves the choice to the caller."""
    if not 1 <= weeks <= 52:
        raise ValidationError({"weeks": _("Repeat for 1 to 52 weeks.")})
    if programme is None:
        served = list(service.programmes.all()[:2])
        programme = served[0] if len(served) == 1 else None
    counsellors = list(counsellors)
    if not counsellors:
        raise ValidationError({"counsellors": _("Name at least one counsellor.")})
    series = secrets.token_hex(8) if weeks > 1 else ""
    created = []
    for week in range(weeks):
        start, end = starts_at + timedelta(weeks=week), ends_at + timedelta(weeks=week)
        _check_booking(
            venue=venue, counsellors=counsellors, starts_at=start, ends_at=end, capacity=capacity
        )
        session = Session(
            holder=holder,
            service=service,
            venue=venue,
            starts_at=start,
            ends_at=end,
            capacity=capacity,
            group=group,
            series=series,
            programme=programme,
        )
        save_audited(session, actor=actor, verb="accompaniment.session.planned")
        session.counsellors.set(counsellors)
        if group is not None:
            from essor.registry.models import Person

            members = Person.objects.filter(
                memberships__organisation__in=group.members.all(), memberships__until__isnull=True
            ).distinct()
            Participant.objects.bulk_create(
                [Participant(session=session, person=p) for p in members[:capacity]]
            )
        created.append(session)
    return created


def _check_open(session: Session) -> None:
    if session.reported_at is not None:
        raise ValidationError(
            _("This session was reported on %(date)s: it can no longer change.")
            % {"date": timezone.localtime(session.reported_at).strftime("%d/%m/%Y")}
        )


@transaction.atomic
def participant_add(
    *, actor: User | None, session: Session, person: Person, expected: bool = True
) -> Participant:
    """Expect a holder at a session, or add a walk-in; a person is listed once."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    _check_open(session)
    existing = session.participants.filter(person=person).first()
    if existing is not None:
        return existing
    if session.participants.count() >= session.capacity:
        raise ValidationError(
            _("The session is full (%(places)s places).") % {"places": session.capacity}
        )
    return Participant.objects.create(session=session, person=person, expected=expected)


@transaction.atomic
def attendance_mark(
    *, actor: User, session: Session, marks: dict[int, bool], walk_ins: Iterable[Person] = ()
) -> int:
    """Record who came. Marking a person twice keeps one mark, the last one."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    _check_open(session)
    for person in walk_ins:
        participant = participant_add(actor=actor, session=session, person=person, expected=False)
        marks[participant.pk] = True
    now = timezone.now()
    changed = 0
    for participant in session.participants.filter(pk__in=list(marks)):
        present = marks[participant.pk]
        if participant.present != present:
            participant.present, participant.marked_by, participant.marked_at = present, actor, now
            participant.save(update_fields=["present", "marked_by", "marked_at"])
            changed += 1
    return changed


def session_report(*, actor: User, session: Session) -> Session:
    """The session is over and reported: its attendance is final."""
    _check_open(session)
    if session.participants.filter(present__isnull=True).exists():
        raise ValidationError(_("Mark every expected participant present or absent first."))
    session.reported_at = timezone.now()
    save_audited(
        session,
        actor=actor,
        verb="accompaniment.session.reported",
        update_fields=["reported_at", "updated_at"],
    )
    return session


def training_hours(person: Person) -> float:
    """Hours of sessions the person attended."""
    rows = Participant.objects.filter(person=person, present=True).select_related("session")
    return round(sum(p.session.hours for p in rows), 1)


def group_create(
    *,
    actor: User | None,
    holder: Partner,
    name: str,
    sector: Any,
    counsellor: User,
    started_on: Any,
) -> Group:
    group = Group(
        holder=holder, name=name, sector=sector, counsellor=counsellor, started_on=started_on
    )
    save_audited(group, actor=actor, verb="accompaniment.group.created")
    return group


def group_log_add(*, actor: User | None, group: Group, **values: Any) -> GroupLog:
    if not any(str(values.get(k) or "").strip() for k in ("needs", "problems", "solutions")):
        raise ValidationError(_("Write the needs, the problems or the solutions discussed."))
    return GroupLog.objects.create(group=group, **values)


def sessions_of_week(user: User, *, on: Any = None) -> Any:
    start = (on or timezone.localdate()) - timedelta(days=(on or timezone.localdate()).weekday())
    return (
        Session.objects.visible_to(user)
        .filter(
            counsellors=user,
            starts_at__date__gte=start,
            starts_at__date__lt=start + timedelta(days=7),
        )
        .select_related("service", "venue")
    )


def diagnostic_record(
    *,
    actor: User,
    holder: Partner,
    organisation: Any,
    on: Any,
    scores: dict[str, int],
    notes: str = "",
) -> Any:
    """Record the needs questionnaire; every area gets a score from 1 (serious need) to 4."""
    from .models import Area, Diagnostic

    missing = [str(label) for value, label in Area.choices if value not in scores]
    if missing:
        raise ValidationError(
            {"scores": _("Score every area; missing: %(areas)s.") % {"areas": ", ".join(missing)}}
        )
    if any(not 1 <= int(v) <= 4 for v in scores.values()):
        raise ValidationError({"scores": _("A score is 1 (serious need) to 4 (no need).")})
    diagnostic = Diagnostic(
        holder=holder,
        organisation=organisation,
        counsellor=actor,
        on=on,
        scores={k: int(v) for k, v in scores.items() if k in Area.values},
        notes=notes,
    )
    save_audited(diagnostic, actor=actor, verb="accompaniment.diagnostic.recorded")
    return diagnostic


def suggested_services(diagnostic: Any) -> list[Service]:
    """The catalogue's services that answer the diagnostic's needs, most serious need first."""
    from .models import AREA_SERVICES

    seen: dict[int, Service] = {}
    for area in diagnostic.needs():
        for service in Service.objects.filter(kind__in=AREA_SERVICES.get(area, ())).order_by(
            "title_fr"
        ):
            seen.setdefault(service.pk, service)
    return list(seen.values())


def plan_item_add(
    *, actor: User, diagnostic: Any, area: str, text: str, owner: str, due_on: Any
) -> Any:
    from .models import PlanItem

    if not text.strip():
        raise ValidationError({"text": _("Say what is to be done.")})
    item = PlanItem(diagnostic=diagnostic, area=area, text=text.strip(), owner=owner, due_on=due_on)
    save_audited(item, actor=actor, verb="accompaniment.plan.added")
    return item


def plan_item_follow(*, actor: User, item: Any, status: str, session: Session | None = None) -> Any:
    from .models import PlanStatus

    if status not in PlanStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    item.status = status
    item.followed_in = session or item.followed_in
    save_audited(item, actor=actor, verb=f"accompaniment.plan.{status}")
    return item


def overdue_plan_items(user: User, *, today: Any = None) -> Any:
    from .models import PlanItem, PlanStatus

    return PlanItem.objects.filter(
        diagnostic__counsellor=user,
        status=PlanStatus.OPEN,
        due_on__lt=today or timezone.localdate(),
    ).select_related("diagnostic__organisation")


@transaction.atomic
def tour_stop_change(*, actor: User, stop: Any, on: Any = None, commune: Any = None) -> Any:
    """The manager edits the proposal: another day, or another rural commune of the region."""
    from .models import TourStop

    stop = (
        TourStop.objects.select_for_update(of=("self",))
        .select_related("tour", "venue")
        .get(pk=stop.pk)
    )
    tour = stop.tour
    if on is not None and on != stop.on:
        if not tour.start_on <= on <= tour.end_on:
            raise ValidationError({"on": _("Pick a day within the tour.")})
        if tour.stops.filter(on=on).exclude(pk=stop.pk).exists():
            raise ValidationError({"on": _("The bus already stops somewhere that day.")})
        if stop.venue is not None and stop.venue.sessions.exists():
            raise ValidationError(_("Sessions are planned at this stop: move them first."))
        stop.on = on
    if commune is not None and commune.pk != stop.commune_id:
        if commune.kind != "rural" or commune.region_id != tour.region_id:
            raise ValidationError({"commune": _("The bus stops in rural communes of its region.")})
        if stop.venue is not None and stop.venue.sessions.exists():
            raise ValidationError(_("Sessions are planned at this stop: move them first."))
        stop.commune = commune
        stop.reason = _("Chosen by %(name)s") % {"name": actor.get_full_name() or actor.username}
        if stop.venue is not None:
            stop.venue.commune = commune
            stop.venue.name = _("Bus — %(commune)s, %(date)s") % {
                "commune": commune.name_fr,
                "date": stop.on.strftime("%d/%m/%Y"),
            }
            stop.venue.save(update_fields=["commune", "name", "updated_at"])
    stop.save()
    return stop


@transaction.atomic
def tour_stop_remove(*, actor: User, stop: Any) -> None:
    if stop.venue is not None and stop.venue.sessions.exists():
        raise ValidationError(_("Sessions are planned at this stop: move them first."))
    venue = stop.venue
    stop.delete()
    if venue is not None:
        venue.delete()
