"""Base models shared by the domain apps: timestamps, archiving, bilingual labels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from essor.accounts.models import User


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ArchivableQuerySet(models.QuerySet):
    def active(self) -> ArchivableQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> ArchivableQuerySet:
        return self.filter(archived_at__isnull=False)


class ArchivableModel(models.Model):
    """A record that is archived, never deleted: it keeps its history and its links."""

    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("archived by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    archive_reason = models.CharField(_("reason for archiving"), max_length=500, blank=True)

    objects: ClassVar[Any] = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self, *, actor: User, reason: str) -> None:
        """Archive the record with who and why; the change lands in its history."""
        from essor.core.audit import save_audited

        self.archived_at = timezone.now()
        self.archived_by = actor
        self.archive_reason = reason
        save_audited(
            self,
            actor=actor,
            verb="archived",
            update_fields=["archived_at", "archived_by", "archive_reason"],
        )

    def restore(self, *, actor: User, reason: str) -> None:
        from essor.core.audit import save_audited

        self.archived_at = None
        self.archived_by = None
        self.archive_reason = reason
        save_audited(
            self,
            actor=actor,
            verb="restored",
            update_fields=["archived_at", "archived_by", "archive_reason"],
        )


class BilingualNameMixin:
    """Reference data with explicit ``name_fr`` and ``name_ar`` columns.

    ``label`` picks the active language and falls back to French when Arabic is missing.
    """

    name_fr: str
    name_ar: str

    @property
    def label(self) -> str:
        if translation.get_language() == "ar" and self.name_ar:
            return self.name_ar
        return self.name_fr

    def __str__(self) -> str:
        return self.label


def bilingual(obj: Any, field: str) -> str:
    """``obj.<field>_ar`` in Arabic when it is filled, else ``obj.<field>_fr``."""
    arabic = getattr(obj, f"{field}_ar", "")
    if translation.get_language() == "ar" and arabic:
        return str(arabic)
    return str(getattr(obj, f"{field}_fr", "") or arabic)
