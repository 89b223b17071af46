"""Persons (project holders, members, managers) and organisations, held by partners.

One record per person and per organisation, whatever partner brought it: a partner that meets
a person already in the registry becomes one more holder of the same record
(:class:`PersonHolding`). Personal data (CIN, phone, birth date) is under law 09-08.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from essor.accounts.scoping import HeldQuerySet
from essor.core.crypto import EncryptedCharField
from essor.core.models import ArchivableModel, BilingualNameMixin, TimeStampedModel

YOUNG_MAX_AGE = 35


class Sex(models.TextChoices):
    FEMALE = "F", _("Woman")
    MALE = "M", _("Man")


class EducationLevel(models.TextChoices):
    NONE = "none", _("No schooling")
    PRIMARY = "primary", _("Primary school")
    MIDDLE = "middle", _("Middle school (collège)")
    SECONDARY = "secondary", _("Secondary school (lycée)")
    BACCALAUREATE = "baccalaureate", _("Baccalaureate")
    VOCATIONAL = "vocational", _("Vocational training")
    BACHELOR = "bachelor", _("Licence or equivalent")
    MASTER = "master", _("Master, engineer or doctorate")


class Sector(BilingualNameMixin, models.Model):
    """Sector of activity, a maintained list mapped to the national nomenclature (NMA 2010)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    nma_section = models.CharField(
        _("NMA 2010 section"), max_length=2, blank=True, help_text=_("Letter A to U")
    )
    nma_codes = models.CharField(_("NMA 2010 divisions"), max_length=60, blank=True)
    disabled_on = models.DateField(_("disabled on"), null=True, blank=True)

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.label


class PersonQuerySet(HeldQuerySet["Person"]):
    holding_model_name = "registry.PersonHolding"
    holding_field = "person"


class Person(ArchivableModel, TimeStampedModel):
    first_name = models.CharField(_("first name (Latin script)"), max_length=80, blank=True)
    last_name = models.CharField(_("last name (Latin script)"), max_length=80, blank=True)
    first_name_ar = models.CharField(_("first name (Arabic script)"), max_length=80, blank=True)
    last_name_ar = models.CharField(_("last name (Arabic script)"), max_length=80, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # Encrypted at rest, searchable by exact value (essor.core.crypto, decision 0017).
    cin = EncryptedCharField(_("CIN"), max_length=9, blank=True, kind="cin")
    phone = EncryptedCharField(_("phone"), max_length=16, blank=True, db_index=True, kind="phone")
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    education_level = models.CharField(
        _("education level"), max_length=20, choices=EducationLevel.choices, blank=True
    )
    registered_by = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Folded names and birth date: how a row without CIN finds the person it describes.
    identity_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    # Set when this record was merged into another (the survivor); the record is archived and
    # every count reads it as its survivor, so a merged duplicate counts once.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        editable=False,
    )
    # PostgreSQL only: name keys and holders for the search's GIN index (search_index.py).
    search = SearchVectorField(null=True, editable=False)

    objects: ClassVar[Any] = PersonQuerySet.as_manager()  # type: ignore[assignment]
    history = HistoricalRecords(excluded_fields=["search"])

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(
                fields=["cin"], condition=~models.Q(cin=""), name="registry_person_cin_unique"
            )
        ]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        latin = " ".join(p for p in (self.first_name, self.last_name) if p)
        arabic = " ".join(p for p in (self.first_name_ar, self.last_name_ar) if p)
        return latin or arabic or f"#{self.pk}"

    @property
    def arabic_name(self) -> str:
        return " ".join(p for p in (self.first_name_ar, self.last_name_ar) if p)

    def age(self, on: date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        on = on or timezone.localdate()
        return (
            on.year
            - self.birth_date.year
            - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))
        )


class PersonHolding(models.Model):
    """A partner holds this person: it registered them, imported them or serves them."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="holdings")
    partner = models.ForeignKey("accounts.Partner", on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    source = models.CharField(_("source"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "partner"], name="registry_personholding_unique"
            )
        ]
        indexes = [models.Index(fields=["partner", "person"])]

    def __str__(self) -> str:
        return f"{self.partner_id} holds person {self.person_id}"


class PersonNameKey(models.Model):
    """Search keys of a person's names (see ``names.py``); rebuilt on every change."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=64)

    class Meta:
        # One B-tree serves both the prefix match and the ordered walk of a search: on
        # PostgreSQL the column uses the "C" collation (migration 0003) so that it can.
        indexes = [models.Index(fields=["key", "person"], name="registry_pnk_key_idx")]

    def __str__(self) -> str:
        return self.key


class Consent(TimeStampedModel):
    """What the person was told and agreed to, when, and who collected it (law 09-08)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    given_on = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=255)
    information_text = models.TextField(_("information text shown"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    partner = models.ForeignKey("accounts.Partner", on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")


class OrganisationKind(models.TextChoices):
    INFORMAL = "informal", _("Informal project")
    AUTO_ENTREPRENEUR = "auto_entrepreneur", _("Auto-entrepreneur")
    COOPERATIVE = "cooperative", _("Cooperative")
    ASSOCIATION = "association", _("Association")
    GIE = "gie", _("Economic interest group (GIE)")
    SARL = "sarl", _("SARL")
    SARL_AU = "sarl_au", _("SARL AU")
    OTHER_COMPANY = "other_company", _("Other company")


class OrganisationQuerySet(HeldQuerySet["Organisation"]):
    holding_model_name = "registry.OrganisationHolding"
    holding_field = "organisation"


class Organisation(ArchivableModel, TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name_fr = models.CharField(_("name (Latin script)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic script)"), max_length=200, blank=True)
    ice = models.CharField(_("ICE"), max_length=15, blank=True)
    tax_id = models.CharField(_("tax identifier (IF)"), max_length=20, blank=True)
    rc_number = models.CharField(_("trade register number (RC)"), max_length=20, blank=True)
    rc_court = models.CharField(_("trade register court"), max_length=80, blank=True)
    cnss = models.CharField(_("CNSS number"), max_length=20, blank=True)
    cooperative_registration = models.CharField(
        _("cooperative registration number"), max_length=40, blank=True
    )
    rnae_number = models.CharField(_("auto-entrepreneur number (RNAE)"), max_length=20, blank=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_on = models.DateField(_("creation date"), null=True, blank=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employees_women = models.PositiveIntegerField(_("employees (women)"), null=True, blank=True)
    employees_men = models.PositiveIntegerField(_("employees (men)"), null=True, blank=True)
    annual_turnover = models.DecimalField(
        _("annual turnover (DH)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    registered_by = models.ForeignKey(
        "accounts.Partner",
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set when this record was merged into another (see Person.merged_into).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        editable=False,
    )

    members: models.ManyToManyField[Person, Membership] = models.ManyToManyField(
        Person, through="Membership", related_name="organisations"
    )

    objects: ClassVar[Any] = OrganisationQuerySet.as_manager()  # type: ignore[assignment]
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_fr", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["ice"], condition=~models.Q(ice=""), name="registry_organisation_ice_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name_fr or self.name_ar or f"#{self.pk}"


class OrganisationHolding(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="holdings"
    )
    partner = models.ForeignKey("accounts.Partner", on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    source = models.CharField(_("source"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "partner"], name="registry_orgholding_unique"
            )
        ]
        indexes = [models.Index(fields=["partner", "organisation"])]

    def __str__(self) -> str:
        return f"{self.partner_id} holds organisation {self.organisation_id}"


class MemberRole(models.TextChoices):
    FOUNDER = "founder", _("Founder")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")


class Membership(TimeStampedModel):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person", "role"], name="registry_membership_unique"
            )
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")


class OrganisationNameKey(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="name_keys"
    )
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["key", "organisation"], name="registry_onk_key_idx")]

    def __str__(self) -> str:
        return self.key


class ImportKind(models.TextChoices):
    PERSONS = "persons", _("Persons")
    ORGANISATIONS = "organisations", _("Organisations")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PLANNING = "planning", _("Checking the rows")
    PLANNED = "planned", _("Checked: ready to load")
    LOADING = "loading", _("Loading")
    DONE = "done", _("Loaded")
    REFUSED = "refused", _("File refused")
    FAILED = "failed", _("Failed")


class ImportJob(TimeStampedModel):
    """One partner file on its way into the registry: checked (dry run), then loaded."""

    kind = models.CharField(_("kind"), max_length=15, choices=ImportKind.choices)
    partner = models.ForeignKey("accounts.Partner", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    strict = models.BooleanField(
        _("strict"), default=False, help_text=_("Load nothing if any row is rejected.")
    )
    mapping = models.JSONField(default=dict, blank=True)  # column index (str) -> field
    header = models.JSONField(default=list, blank=True)
    unmapped = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    outcomes = models.JSONField(default=list, blank=True)  # [row, action, target, changes, errors]
    message = models.TextField(blank=True)
    loaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_pct(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.UPLOADED, ImportStatus.PLANNING, ImportStatus.LOADING}
