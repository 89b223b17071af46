"""The rights of the people in the registry under law 09-08, and the log of who saw what.

- :class:`Objection`: a person objected to the processing of their data that is not mandatory
  (exports, pseudonymised exports for evaluation, named lists in reports, identity resolution).
  What the programmes must do (the ledger, the attendance that pays a counsellor) goes on.
- :class:`AccessLogEntry`: one line each time a user is shown a person's full CIN (a page, an
  export, the API), so that the person and the CNDP can be told who saw it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
