"""Read one cell as a field's value: sexes, dates, communes, education levels, numbers."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from essor.registry.models import EducationLevel, OrganisationKind, Sector, Sex
from essor.registry.names import fold
from essor.territory.models import Commune

SEXES = {
    Sex.FEMALE: {"f", "femme", "feminin", "female", "woman", "w", "انثى", "أنثى", "امراه", "امرأة"},
    Sex.MALE: {"m", "h", "homme", "masculin", "male", "man", "ذكر", "رجل"},
}
EDUCATION = {
    EducationLevel.NONE: {"aucun", "sans", "neant", "none", "بدون", "بدون مستوى", "امي"},
    EducationLevel.PRIMARY: {"primaire", "primary", "ابتدائي"},
    EducationLevel.MIDDLE: {"college", "collegial", "secondaire collegial", "اعدادي"},
    EducationLevel.SECONDARY: {"lycee", "secondaire", "secondaire qualifiant", "ثانوي", "تاهيلي"},
    EducationLevel.BACCALAUREATE: {"bac", "baccalaureat", "باكالوريا", "بكالوريا"},
    EducationLevel.VOCATIONAL: {
        "formation professionnelle",
        "technicien",
        "ofppt",
        "تكوين مهني",
        "التكوين المهني",
    },
    EducationLevel.BACHELOR: {"licence", "bac+3", "bac 3", "universitaire", "اجازة", "الاجازة"},
    EducationLevel.MASTER: {
        "master",
        "ingenieur",
        "doctorat",
        "bac+5",
        "bac 5",
        "ماستر",
        "دكتوراه",
        "مهندس",
    },
}
KINDS = {
    OrganisationKind.INFORMAL: {"informel", "projet", "projet informel", "غير مهيكل"},
    OrganisationKind.AUTO_ENTREPRENEUR: {
        "auto entrepreneur",
        "ae",
        "autoentrepreneur",
        "مقاول ذاتي",
        "المقاول الذاتي",
    },
    OrganisationKind.COOPERATIVE: {"cooperative", "coop", "تعاونية"},
    OrganisationKind.ASSOCIATION: {"association", "جمعية"},
    OrganisationKind.GIE: {"gie", "groupement d interet economique"},
    OrganisationKind.SARL: {"sarl", "s a r l"},
    OrganisationKind.SARL_AU: {"sarl au", "sarlau", "sarl a associe unique"},
    OrganisationKind.OTHER_COMPANY: {"sa", "snc", "societe", "entreprise", "شركة"},
}
_TABLES = {id(table): table for table in (SEXES, EDUCATION, KINDS)}
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")
EXCEL_EPOCH = date(1899, 12, 30)
COMMUNE_CODE = re.compile(r"^\d{2}\.\d{3}\.\d{2}\.\d{1,2}$")


@lru_cache(maxsize=16)
def _folded(table_id: int) -> dict[str, str]:
    table = _TABLES[table_id]
    folded = {fold(word): str(value) for value, words in table.items() for word in words}
    return folded | {str(value).lower(): str(value) for value in table}


def _lookup(raw: str, table: dict[Any, set[str]], message: str) -> str:
    value = _folded(id(table)).get(fold(raw))
    if value is None:
        raise ValidationError(message % {"value": raw})
    return value


def parse_sex(raw: Any) -> str:
    if not raw:
        return ""
    return _lookup(
        str(raw), SEXES, _("“%(value)s” is not a sex: write F or M (femme, homme, أنثى, ذكر).")
    )


def parse_education(raw: Any) -> str:
    if not raw:
        return ""
    return _lookup(
        str(raw),
        EDUCATION,
        _("“%(value)s” is not an education level we know (primaire, bac, licence…)."),
    )


def parse_kind(raw: Any) -> str:
    if not raw:
        raise ValidationError(
            _("The legal form is missing (coopérative, auto-entrepreneur, SARL…).")
        )
    return _lookup(
        str(raw),
        KINDS,
        _("“%(value)s” is not a legal form we know (coopérative, auto-entrepreneur, SARL…)."),
    )


def parse_date(raw: Any) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if text.isdigit() and 1000 < int(text) < 80000:  # an Excel serial number
        return EXCEL_EPOCH + timedelta(days=int(text))
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date: write it as day/month/year, for example 21/03/1994.")
        % {"value": raw}
    )


def parse_int(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a whole number.") % {"value": raw}) from None
    if value < 0:
        raise ValidationError(_("“%(value)s” is negative.") % {"value": raw})
    return value


def parse_amount(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    text = re.sub(r"[\s\u00a0]|dh|mad|dirhams?", "", str(raw).lower())
    if text.count(",") == 1 and text.count(".") == 0:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            _("“%(value)s” is not an amount in dirhams.") % {"value": raw}
        ) from None
    if value < 0 or value >= Decimal("1e12"):
        raise ValidationError(_("The amount %(value)s is out of range.") % {"value": raw})
    return value.quantize(Decimal("0.01"))


class CommuneIndex:
    """Communes by HCP code and by name in either script; a name two communes share is ambiguous."""

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, code, name_fr, name_ar in Commune.objects.values_list(
            "pk", "code", "name_fr", "name_ar"
        ):
            self.by_code[code] = pk
            for name in {fold(name_fr), fold(name_ar)}:
                self.by_name.setdefault(name, []).append(pk)

    def parse(self, raw: Any) -> int | None:
        if raw in (None, ""):
            return None
        text = str(raw).strip()
        if COMMUNE_CODE.match(text):
            if text in self.by_code:
                return self.by_code[text]
            raise ValidationError(
                _("There is no commune with the HCP code %(value)s.") % {"value": text}
            )
        matches = self.by_name.get(fold(text), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValidationError(
                _(
                    "Several communes are called “%(value)s”: give its HCP code "
                    "(for example 01.511.01.0)."
                )
                % {"value": text}
            )
        raise ValidationError(
            _("No commune is called “%(value)s”. Check the spelling or give its HCP code.")
            % {"value": text}
        )


class SectorIndex:
    def __init__(self) -> None:
        self.by_name: dict[str, int] = {}
        for pk, code, name_fr, name_ar in Sector.objects.values_list(
            "pk", "code", "name_fr", "name_ar"
        ):
            for name in (code, name_fr, name_ar):
                self.by_name[fold(name)] = pk

    def parse(self, raw: Any) -> int | None:
        if raw in (None, ""):
            return None
        pk = self.by_name.get(fold(str(raw)))
        if pk is None:
            raise ValidationError(
                _("“%(value)s” is not in the list of sectors; choose one of the list.")
                % {"value": raw}
            )
        return pk
