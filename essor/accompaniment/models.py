"""Accompaniment in the field: services, venues and the mobile bus, its tours, sessions and
attendance, sector groups with their log, diagnostics and action plans.

Sessions, groups and diagnostics are personal data (they list holders): each is held by the
partner that runs it. A counsellor sees the groups and sessions they run and the holders in
them; their partner's managers see all of their partner's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from essor.core.models import TimeStampedModel, bilingual

if TYPE_CHECKING:
    from essor.accounts.models import User


class ServiceKind(models.TextChoices):
    TRAINING = "training", _("Training module")
    COACHING = "coaching", _("Individual coaching")
    GROUP_COUNSELLING = "group_counselling", _("Group counselling")
    MENTORING = "mentoring", _("Mentoring")
    FAIR = "fair", _("Fair and market access")
    FORMALITIES = "formalities", _("Help with formalities")


class Service(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ServiceKind.choices)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    syllabus = models.TextField(_("syllabus"), blank=True)
    programmes = models.ManyToManyField(
        "programmes.Programme",
        verbose_name=_("offered by"),
        blank=True,
        related_name="offered_services",
    )

    class Meta:
        ordering = ["title_fr"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return bilingual(self, "title")


class MobileUnit(TimeStampedModel):
    """The bus: a mobile maison des TPE."""

    name = models.CharField(_("name"), max_length=200)
    operator = models.ForeignKey(
        "accounts.Partner", verbose_name=_("operator"), on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.PositiveSmallIntegerField(_("places"), default=20)
    equipment = models.TextField(_("equipment"), blank=True)
    home = models.ForeignKey(
        "territory.Commune", verbose_name=_("home base"), on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class VenueKind(models.TextChoices):
    HOUSE = "house", _("Maison des TPE")
    BUS_STOP = "bus_stop", _("Bus stop")
    OTHER = "other", _("Other place")


class Venue(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=VenueKind.choices)
    name = models.CharField(_("name"), max_length=200)
    commune = models.ForeignKey(
        "territory.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"), default=20)
    host = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("host partner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    mobile_unit = models.ForeignKey(
        MobileUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="stops"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tour(TimeStampedModel):
    """The bus's itinerary over rural communes for a period: a proposal the manager edits."""

    mobile_unit = models.ForeignKey(MobileUnit, on_delete=models.PROTECT, related_name="tours")
    region = models.ForeignKey("territory.Region", on_delete=models.PROTECT, related_name="+")
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("to"))
    confirmed = models.BooleanField(_("confirmed"), default=False)

    class Meta:
        ordering = ["-start_on"]

    def __str__(self) -> str:
        return f"{self.mobile_unit} {self.start_on:%d/%m/%Y}–{self.end_on:%d/%m/%Y}"


class TourStop(models.Model):
    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="stops")
    on = models.DateField(_("date"))
    commune = models.ForeignKey(
        "territory.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    distance_km = models.DecimalField(
        _("distance from the previous stop (km)"), max_digits=7, decimal_places=1, null=True
    )
    reason = models.CharField(_("why this commune"), max_length=300, blank=True)
    venue = models.OneToOneField(
        Venue, null=True, blank=True, on_delete=models.SET_NULL, related_name="tour_stop"
    )

    class Meta:
        ordering = ["on"]
        constraints = [models.UniqueConstraint(fields=["tour", "on"], name="one_stop_a_day")]

    def __str__(self) -> str:
        return f"{self.on:%d/%m/%Y} {self.commune}"


class SessionQuerySet(models.QuerySet["Session"]):
    def visible_to(self, user: User) -> SessionQuerySet:
        """A counsellor sees the sessions they run; managers their partner scope's."""
        return _scoped(self, user, counsellor_field="counsellors")


def _scoped(rows: Any, user: User, *, counsellor_field: str) -> Any:
    from essor.accounts.roles import Cap
    from essor.accounts.scoping import ALL, visible_partner_ids

    if not user.is_authenticated or not user.can(Cap.PERSONAL_VIEW):
        return rows.none()
    if user.can(Cap.ACCOMPANIMENT_ALL):
        ids = visible_partner_ids(user)
        return rows if ids is ALL else rows.filter(holder_id__in=ids)
    return rows.filter(**{counsellor_field: user}).distinct()


class Session(TimeStampedModel):
    holder = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("holding partner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="sessions"
    )
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="sessions"
    )
    # The programme the session is delivered under, so that its attendance counts for that
    # programme's conventions (a service may serve several programmes).
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    counsellors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counsellors"),
        related_name="accompaniment_sessions",
    )
    group = models.ForeignKey(
        "Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    capacity = models.PositiveSmallIntegerField(_("places"), default=20)
    series = models.CharField(max_length=40, blank=True, editable=False)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)

    objects: ClassVar[Any] = SessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.service} — {self.starts_at:%d/%m/%Y %H:%M}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at) / timedelta(hours=1)


class Participant(models.Model):
    """A holder expected at a session, and whether they came (attendance)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="session_participations"
    )
    expected = models.BooleanField(_("expected"), default=True)
    present = models.BooleanField(_("present"), null=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_attendance_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.session}"


class GroupQuerySet(models.QuerySet["Group"]):
    def visible_to(self, user: User) -> GroupQuerySet:
        return _scoped(self, user, counsellor_field="counsellor")


class Group(TimeStampedModel):
    """Group counselling: a counsellor and the enterprises of one sector, over months."""

    holder = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("holding partner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    sector = models.ForeignKey(
        "registry.Sector", verbose_name=_("sector"), on_delete=models.PROTECT, related_name="+"
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counsellor"),
        on_delete=models.PROTECT,
        related_name="accompaniment_groups",
    )
    members = models.ManyToManyField(
        "registry.Organisation",
        verbose_name=_("enterprises"),
        blank=True,
        related_name="accompaniment_groups",
    )
    started_on = models.DateField(_("started on"))

    objects: ClassVar[Any] = GroupQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupLog(TimeStampedModel):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="log")
    on = models.DateField(_("date"))
    needs = models.TextField(_("needs that came up"), blank=True)
    problems = models.TextField(_("problems discussed"), blank=True)
    solutions = models.TextField(_("solutions"), blank=True)
    follow_up_by = models.CharField(_("who follows up"), max_length=200, blank=True)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.group} {self.on}"


class Area(models.TextChoices):
    """The obstacles the field names (seed articles): where an enterprise needs help."""

    PROJECT = "project", _("Preparing the project")
    MANAGEMENT = "management", _("Administrative and financial management")
    QUALITY = "quality", _("Product quality")
    FINANCE = "finance", _("Access to finance")
    ORGANISATION = "organisation", _("Organisation and regulation")
    MARKETING = "marketing", _("Marketing and sales")
    DIGITAL = "digital", _("Digital")


# Which services answer a need in each area (service kinds of the catalogue).
AREA_SERVICES: dict[str, tuple[str, ...]] = {
    Area.PROJECT: ("coaching", "training"),
    Area.MANAGEMENT: ("training", "coaching"),
    Area.QUALITY: ("training", "group_counselling"),
    Area.FINANCE: ("coaching", "formalities"),
    Area.ORGANISATION: ("formalities", "group_counselling"),
    Area.MARKETING: ("fair", "training"),
    Area.DIGITAL: ("training",),
}


class Diagnostic(TimeStampedModel):
    """A needs questionnaire for one enterprise: a score of 1 (a serious need) to 4 (no need)
    per area, giving a profile and the services to suggest."""

    holder = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("holding partner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="diagnostics",
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counsellor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    on = models.DateField(_("date"))
    scores = models.JSONField(_("scores"), default=dict)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.on}"

    def needs(self) -> list[str]:
        """Areas scored 1 or 2, the most serious first."""
        scored = [(int(v), k) for k, v in self.scores.items() if int(v) <= 2]
        return [k for _v, k in sorted(scored)]


class PlanStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class PlanItem(TimeStampedModel):
    """One step of an enterprise's action plan, followed in later sessions."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="plan")
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    text = models.CharField(_("action"), max_length=300)
    owner = models.CharField(_("who"), max_length=200)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )
    followed_in = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_items"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text
