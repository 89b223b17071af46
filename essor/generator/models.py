"""What ``essor generate`` leaves beside the data: the generation itself, and the truth.

The truth is the person behind each synthetic registry record. A share of the persons is entered
twice by different partners (with another spelling, a mistyped CIN, no phone…), and linkage is
scored against this table. It holds record ids, not foreign keys, on purpose: a merge moves every
foreign key that points at the merged record, and the truth must not move with it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scale(models.TextChoices):
    DEMO = "demo", _("demo (one region, about 5,000 holders)")
    REGION = "region", _("region (about 50,000 holders)")
    NATION = "nation", _("nation (1,000,000 persons, 12 regions)")


class Generation(models.Model):
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices)
    seed = models.PositiveIntegerField(_("seed"))
    persons = models.PositiveIntegerField(_("registry records"))
    started_at = models.DateTimeField(_("started at"))
    seconds = models.FloatField(_("seconds"), default=0)
    counts = models.JSONField(_("counts"), default=dict)
    steps = models.JSONField(_("seconds per step"), default=dict)

    class Meta:
        verbose_name = _("data generation")
        verbose_name_plural = _("data generations")

    def __str__(self) -> str:
        return f"{self.scale} (seed {self.seed}, {self.persons:,} records)"


class TrueIdentity(models.Model):
    """The synthetic person (``entity``) behind registry record ``record`` (a person id)."""

    record = models.PositiveIntegerField(_("registry record"), primary_key=True)
    entity = models.PositiveIntegerField(_("true person"), db_index=True)

    class Meta:
        verbose_name = _("true identity")
        verbose_name_plural = _("true identities")

    def __str__(self) -> str:
        return f"{self.record} → {self.entity}"
