"""Identity resolution: the pairs that linkage proposes, the decisions taken on them, the merges
(kept with what they changed, so that each can be undone) and the runs that found them.

A pair is stored once, lower id on the left. A "not the same" decision stays on the pair, and a
later run never proposes that pair again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from essor.core.models import TimeStampedModel


class Band(models.TextChoices):
    AUTO = "auto", _("merged automatically")
    REVIEW = "review", _("to review")


class PairStatus(models.TextChoices):
    PENDING = "pending", _("to review")
    MERGED = "merged", _("merged")
    NOT_SAME = "not_same", _("not the same")


class RecordKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANISATION = "organisation", _("organisation")


class PairBase(TimeStampedModel):
    score = models.FloatField(_("match probability"))
    weight = models.FloatField(_("match weight"), default=0)
    # Field by field: "exact", "close", "differ", "missing"… (see evidence.py).
    evidence = models.JSONField(default=dict)
    band = models.CharField(max_length=8, choices=Band.choices, default=Band.REVIEW)
    status = models.CharField(
        max_length=10, choices=PairStatus.choices, default=PairStatus.PENDING, db_index=True
    )
    run = models.ForeignKey(
        "linkage.LinkRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class PersonPair(PairBase):
    """Two person records that may describe one person."""

    left = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="linkage_person_pair_once"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="linkage_person_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.left_id} ~ #{self.right_id} ({self.score:.3f})"


class OrganisationPair(PairBase):
    """Two organisation records that may describe one organisation."""

    left = models.ForeignKey("registry.Organisation", on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey("registry.Organisation", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="linkage_org_pair_once"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="linkage_org_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.left_id} ~ #{self.right_id} ({self.score:.3f})"


class Merge(TimeStampedModel):
    """One record merged into another, with everything the merge changed (to undo it)."""

    kind = models.CharField(max_length=12, choices=RecordKind.choices)
    survivor_id = models.BigIntegerField()
    merged_id = models.BigIntegerField()
    person_pair = models.ForeignKey(
        PersonPair, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges"
    )
    organisation_pair = models.ForeignKey(
        OrganisationPair, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges"
    )
    automatic = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # {"survivor": {field: value}, "merged": {…}, "moved": [[label, pk, field]], "removed": […]}
    changes = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "merged_id"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.merged_id} → #{self.survivor_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class LinkRun(TimeStampedModel):
    """A batch linkage over the registry: what it found and, unless a dry run, what it merged."""

    kind = models.CharField(max_length=12, choices=RecordKind.choices, default=RecordKind.PERSON)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    step = models.CharField(max_length=120, blank=True)
    records = models.PositiveIntegerField(default=0)
    comparisons = models.BigIntegerField(default=0)
    auto_pairs = models.PositiveIntegerField(default=0)
    review_pairs = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The trained model (Splink settings with m and u), reused by single lookups.
    model = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} linkage {self.created_at:%Y-%m-%d %H:%M} ({self.status})"
