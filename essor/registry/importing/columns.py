"""Column headers partners use, in French, Arabic and English, mapped to registry fields."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from essor.registry.names import fold

PERSON_COLUMNS: dict[str, tuple[object, list[str]]] = {
    "first_name": (
        _("First name"),
        ["prenom", "prénom", "first name", "firstname", "الاسم الشخصي", "الاسم"],
    ),
    "last_name": (
        _("Last name"),
        ["nom", "nom de famille", "last name", "lastname", "surname", "النسب", "الاسم العائلي"],
    ),
    "first_name_ar": (
        _("First name (Arabic)"),
        ["prenom arabe", "prénom (arabe)", "prenom ar", "الاسم الشخصي بالعربية", "الاسم بالعربية"],
    ),
    "last_name_ar": (
        _("Last name (Arabic)"),
        ["nom arabe", "nom (arabe)", "nom ar", "النسب بالعربية", "الاسم العائلي بالعربية"],
    ),
    "sex": (_("Sex"), ["sexe", "genre", "sex", "gender", "الجنس", "النوع"]),
    "birth_date": (
        _("Birth date"),
        [
            "date de naissance",
            "ne le",
            "né le",
            "date naissance",
            "birth date",
            "date of birth",
            "تاريخ الازدياد",
            "تاريخ الولادة",
            "تاريخ الميلاد",
        ],
    ),
    "cin": (
        _("CIN"),
        [
            "cin",
            "cnie",
            "n cin",
            "n° cin",
            "numero cin",
            "numéro cin",
            "carte nationale",
            "رقم البطاقة الوطنية",
            "البطاقة الوطنية",
            "ب و ت",
        ],
    ),
    "phone": (
        _("Phone"),
        [
            "telephone",
            "téléphone",
            "tel",
            "tél",
            "gsm",
            "portable",
            "mobile",
            "phone",
            "الهاتف",
            "رقم الهاتف",
        ],
    ),
    "email": (
        _("E-mail"),
        ["email", "e mail", "courriel", "mail", "البريد الالكتروني", "البريد الإلكتروني"],
    ),
    "address": (_("Address"), ["adresse", "address", "العنوان"]),
    "commune": (
        _("Commune"),
        ["commune", "code commune", "commune code", "الجماعة", "الجماعة الترابية"],
    ),
    "education_level": (
        _("Education level"),
        [
            "niveau d etudes",
            "niveau d'études",
            "niveau scolaire",
            "niveau",
            "education",
            "المستوى الدراسي",
        ],
    ),
}

ORGANISATION_COLUMNS: dict[str, tuple[object, list[str]]] = {
    "name_fr": (
        _("Name"),
        [
            "raison sociale",
            "denomination",
            "dénomination",
            "nom",
            "nom de l entreprise",
            "name",
            "الاسم",
            "التسمية",
        ],
    ),
    "name_ar": (
        _("Name (Arabic)"),
        ["raison sociale arabe", "nom arabe", "التسمية بالعربية", "الاسم بالعربية"],
    ),
    "kind": (
        _("Legal form"),
        ["forme juridique", "statut", "type", "legal form", "الشكل القانوني"],
    ),
    "ice": (_("ICE"), ["ice", "identifiant commun de l entreprise", "المعرف الموحد للمقاولة"]),
    "tax_id": (_("IF"), ["if", "identifiant fiscal", "التعريف الضريبي"]),
    "rc_number": (_("RC"), ["rc", "registre de commerce", "n rc", "السجل التجاري"]),
    "rc_court": (_("RC court"), ["tribunal", "tribunal rc", "المحكمة"]),
    "cnss": (_("CNSS"), ["cnss", "n cnss", "الضمان الاجتماعي"]),
    "cooperative_registration": (
        _("Cooperative registration"),
        ["n agrement", "numero cooperative", "immatriculation cooperative", "رقم التسجيل"],
    ),
    "rnae_number": (_("RNAE"), ["rnae", "n ae", "numero auto entrepreneur", "رقم المقاول الذاتي"]),
    "sector": (_("Sector"), ["secteur", "secteur d activite", "activite", "sector", "القطاع"]),
    "created_on": (
        _("Creation date"),
        ["date de creation", "date création", "cree le", "تاريخ الإحداث", "تاريخ التأسيس"],
    ),
    "commune": (_("Commune"), ["commune", "code commune", "الجماعة"]),
    "employees_women": (
        _("Employees (women)"),
        ["effectif femmes", "femmes", "employees women", "العاملات"],
    ),
    "employees_men": (
        _("Employees (men)"),
        ["effectif hommes", "hommes", "employees men", "العاملون"],
    ),
    "annual_turnover": (
        _("Annual turnover"),
        ["chiffre d affaires", "ca", "turnover", "رقم المعاملات"],
    ),
}


def _key(text: str) -> str:
    return fold(text).replace(" ", "")


def guess_mapping(
    header: list[str], columns: dict[str, tuple[object, list[str]]]
) -> dict[int, str]:
    """Column index -> field, for the headers recognised; each field is used once."""
    synonyms = {
        _key(name): field for field, (_, names) in columns.items() for name in [field, *names]
    }
    mapping: dict[int, str] = {}
    for index, title in enumerate(header):
        field = synonyms.get(_key(str(title)))
        if field and field not in mapping.values():
            mapping[index] = field
    return mapping
