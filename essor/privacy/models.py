"""The rights of the people in the registry under law 09-08, and the log of who saw what.

- :class:`Objection`: a person objected to the processing of their data that is not mandatory
  (exports of lists, pseudonymised exports for evaluation, named lists behind the figures).
  What the programmes must do goes on: the ledger, attendance, the applications the person
  made and their screening, the check that nobody is funded twice (identity resolution
  included), the follow-ups of a programme they joined, and the counts in the figures
  (``docs/decisions/0018-rights-retention-and-access-log.md``).
- :class:`AccessLogEntry`: one line each time a user is shown a person's full CIN (a page, an
  export, the API), so that the person and the CNDP can be told who saw it.
- :class:`RetentionPolicy`: how long a programme keeps personal data after the holder's exit.
- :class:`Anonymisation`: a person whose data expired and was anonymised, when and why.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from essor.core.models import TimeStampedModel

# Retention bounds (months after the holder's exit): at least the 24-month follow-up, at most
# 20 years. The default is read from ``settings.ESSOR_RETENTION_DEFAULT_MONTHS``.
RETENTION_MIN_MONTHS = 24
RETENTION_MAX_MONTHS = 240


class Objection(models.Model):
    person = models.OneToOneField(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="objection",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason given"), blank=True)

    # Withdrawing an objection deletes the row: the trail keeps when, by whom and why.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"objection {self.person_id}"


class AccessPurpose(models.TextChoices):
    PAGE = "page", _("page")
    EXPORT = "export", _("export")
    API = "api", _("API")
    REVIEW = "review", _("duplicate review")
    RIGHTS = "rights", _("right of access")


class AccessLogEntry(models.Model):
    """One showing of a person's full CIN to one user. Written, never changed."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="access_log",
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=AccessPurpose.choices)
    path = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["person", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.person_id}"


class RetentionPolicy(TimeStampedModel):
    """How long a programme keeps a holder's personal data after they left it.

    A programme without a policy keeps it ``settings.ESSOR_RETENTION_DEFAULT_MONTHS``."""

    programme = models.OneToOneField(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="retention_policy",
    )
    months = models.PositiveSmallIntegerField(
        _("months kept after the holder's exit"),
        validators=[
            MinValueValidator(RETENTION_MIN_MONTHS),
            MaxValueValidator(RETENTION_MAX_MONTHS),
        ],
    )
    reason = models.CharField(_("why this length"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.months}"


class AnonymisationTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("daily task")
    COMMAND = "command", _("command line")
    PAGE = "page", _("privacy page")


class Anonymisation(models.Model):
    """A person whose retention ran out in every programme that held them, anonymised.

    The person's row stays (the ledger, attendance and figures point at it); its identity is
    gone, here and in its history. ``programmes`` says why: each programme, the holder's exit
    and the months it kept the data."""

    person = models.OneToOneField(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="anonymisation",
    )
    at = models.DateTimeField(_("anonymised at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    trigger = models.CharField(_("how"), max_length=10, choices=AnonymisationTrigger.choices)
    expired_on = models.DateField(_("retention ended on"))
    # [{"programme": id or null, "code": "…", "exit": "YYYY-MM-DD", "months": 60}]
    programmes = models.JSONField(_("programmes"), default=list)
    # Records merged into this person, anonymised with it.
    merged_records = models.JSONField(default=list)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self) -> str:
        return f"anonymised {self.person_id} {self.at:%Y-%m-%d}"
