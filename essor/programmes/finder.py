"""The public finder: which open programmes fit an entrepreneur, from a few answers.

Nothing the user answers is kept: the answers come in the query string, become a screening
:class:`~essor.programmes.screening.Subject` and are evaluated in memory against the eligibility
rules of the open programmes, loaded with their rules in two queries whatever their number.

A question left blank makes the rules that need it ``unknown``, never a silent pass: such a
programme is shown among those that *almost* fit, with the question to answer. Rules about
figures the finder does not ask (turnover, employees, members, own contribution) are listed
under each programme as "checked when you apply", and a grant rule as what the programme offers.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from essor.registry.models import OrganisationKind, Sector, Sex
from essor.territory.models import Commune, Province

from .models import EligibilityRule, Programme, RuleKind, Stage
from .rules import describe
from .screening import FAIL, PASS, UNKNOWN, PriorSupport, RuleResult, Subject, evaluate

DECLARED = "declared"  # the source of a prior support the user ticked (screening words it)
NONE_OF_THEM = "none"


class Need(models.TextChoices):
    TRAINING = "training", gettext_lazy("Training")
    COACHING = "coaching", gettext_lazy("Coaching and mentoring")
    FINANCING = "financing", gettext_lazy("Financing (grant, honour loan)")
    EQUIPMENT = "equipment", gettext_lazy("Equipment")
    MARKET_ACCESS = "market_access", gettext_lazy("Access to markets (fairs, sales)")
    FORMALITIES = "formalities", gettext_lazy("Administrative formalities")


# Words that show a programme offers what the user needs, in its services or description text
# (French and Arabic, case-folded stems). A grant rule also means financing.
NEED_WORDS: dict[str, tuple[str, ...]] = {
    Need.TRAINING: ("formation", "تكوين"),
    Need.COACHING: ("accompagnement", "encadrement", "coaching", "mentor", "مواكبة", "تأطير"),
    Need.FINANCING: ("financement", "subvention", "prêt", "crédit", "تمويل", "منح", "قرض"),
    Need.EQUIPMENT: ("équipement", "matériel", "تجهيز", "معدات"),
    Need.MARKET_ACCESS: (
        "marché",
        "commercialisation",
        "salon",
        "foire",
        "exposition",
        "تسويق",
        "سوق",
        "معرض",
    ),
    Need.FORMALITIES: (
        "formalités",
        "formalisation",
        "administrati",
        "immatriculation",
        "إجراءات",
        "إداري",
    ),
}

# The questions, shared by the form's labels and the "answer this question" hints.
AGE_LABEL = gettext_lazy("Your age")
SEX_LABEL = gettext_lazy("You are")
PROVINCE_LABEL = gettext_lazy("Province or prefecture")
COMMUNE_LABEL = gettext_lazy("Commune")
SECTOR_LABEL = gettext_lazy("Sector of activity")
LEGAL_FORM_LABEL = gettext_lazy("Legal form")
ORGANISATION_AGE_LABEL = gettext_lazy("Years since the business was created")
STAGE_LABEL = gettext_lazy("Where your project stands")
NEEDS_LABEL = gettext_lazy("What you need")
PRIOR_LABEL = gettext_lazy("Have you already been supported by one of these programmes?")

QUESTIONS: dict[str, Any] = {
    RuleKind.AGE: AGE_LABEL,
    RuleKind.SEX: SEX_LABEL,
    RuleKind.TERRITORY: PROVINCE_LABEL,
    RuleKind.LEGAL_FORMS: LEGAL_FORM_LABEL,
    RuleKind.SECTORS: SECTOR_LABEL,
    RuleKind.ORGANISATION_AGE: ORGANISATION_AGE_LABEL,
    RuleKind.PRIOR_SUPPORT: PRIOR_LABEL,
}
ASKED = frozenset(QUESTIONS)

# Stages before the enterprise exists: no legal form yet ("informal") and no years behind it.
NOT_CREATED = frozenset({Stage.IDEA, Stage.PREPARATION})


def open_programmes(today: date) -> list[Programme]:
    """Programmes taking applications on ``today`` (a missing date is open on that side).

    Two queries, whatever the number of programmes: the programmes with their operator, then
    their rules.
    """
    return list(
        Programme.objects.filter(
            Q(opens_on__isnull=True) | Q(opens_on__lte=today),
            Q(closes_on__isnull=True) | Q(closes_on__gte=today),
        )
        .select_related("operator")
        .prefetch_related(
            Prefetch("eligibility_rules", queryset=EligibilityRule.objects.order_by("pk"))
        )
        .order_by("name_fr", "pk")
    )


def is_open(programme: Programme, today: date) -> bool:
    return (programme.opens_on is None or programme.opens_on <= today) and (
        programme.closes_on is None or today <= programme.closes_on
    )


def _label(fr: str, ar: str) -> str:
    return ar if translation.get_language() == "ar" and ar else fr


@dataclass(frozen=True)
class Labels:
    """Names to show instead of codes: places (HCP codes), sectors, programmes."""

    places: Mapping[str, str] = field(default_factory=dict)
    sectors: Mapping[str, str] = field(default_factory=dict)
    programmes: Mapping[str, str] = field(default_factory=dict)


class FinderForm(forms.Form):
    """The finder's questions; every one may be left blank (its rules are then unknown).

    Its choices come from the reference data and from the open programmes' rules (the
    programmes named in "prior support" rules), read in at most four queries.
    """

    age = forms.IntegerField(
        label=AGE_LABEL,
        required=False,
        min_value=15,
        max_value=99,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    sex = forms.ChoiceField(
        label=SEX_LABEL,
        required=False,
        choices=[("", gettext_lazy("I prefer not to say")), *Sex.choices],
        widget=forms.RadioSelect,
    )
    province = forms.ChoiceField(label=PROVINCE_LABEL, required=False)
    # A commune of another province than the one answered (the province was changed) is
    # dropped rather than refused: the province is the newer answer.
    commune = forms.CharField(
        label=COMMUNE_LABEL,
        required=False,
        help_text=gettext_lazy("Some programmes are for rural communes only."),
        widget=forms.Select,
    )
    sector = forms.ChoiceField(label=SECTOR_LABEL, required=False)
    legal_form = forms.ChoiceField(label=LEGAL_FORM_LABEL, required=False)
    organisation_age = forms.IntegerField(
        label=ORGANISATION_AGE_LABEL,
        required=False,
        min_value=0,
        max_value=200,
        help_text=gettext_lazy("0 if it is not created yet or was created this year."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    stage = forms.ChoiceField(
        label=STAGE_LABEL,
        required=False,
        choices=[("", gettext_lazy("I do not know")), *Stage.choices],
        widget=forms.RadioSelect,
    )
    needs = forms.MultipleChoiceField(
        label=NEEDS_LABEL,
        required=False,
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    prior = forms.MultipleChoiceField(
        label=PRIOR_LABEL, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, programmes: Sequence[Programme] = ()
    ) -> None:
        super().__init__(data)
        blank: list[tuple[str, Any]] = [("", "—")]

        provinces = list(
            Province.objects.filter(disabled_on__isnull=True)
            .select_related("region")
            .order_by("region__code", "code")
        )
        self._provinces = {p.code: p for p in provinces}
        by_region: dict[str, list[tuple[str, str]]] = {}
        regions: dict[str, str] = {}
        for province in provinces:
            regions[province.region.code] = province.region.label
            if province.is_prefecture_of_arrondissements:
                # Casablanca's arrondissements have no communes of their own: people there
                # answer the prefecture of Casablanca and its commune, as the rules name them.
                continue
            by_region.setdefault(province.region.code, []).append((province.code, province.label))
        # Kept for the template too: it writes the options itself, much faster than a widget
        # template per option (the finder answers in under 100 ms).
        self.province_groups = [(regions[code], options) for code, options in by_region.items()]
        self._field("province").choices = blank + self.province_groups

        # The communes of the chosen province (the select is filled once a province is chosen),
        # and those that rules name, for their names; one query.
        rule_communes = {
            code
            for programme in programmes
            for rule in programme.eligibility_rules.all()
            if rule.kind == RuleKind.TERRITORY
            for code in rule.params.get("communes", [])
        }
        province_code = self._raw("province")
        commune_code = self._raw("commune")
        if not province_code and commune_code.count(".") >= 2:
            province_code = ".".join(commune_code.split(".")[:2])
        self._province = self._provinces.get(province_code)
        communes: list[Commune] = []
        if self._province is not None or rule_communes:
            wanted = Q(code__in=rule_communes)
            if self._province is not None:
                wanted |= Q(province=self._province)
            communes = list(Commune.objects.filter(wanted))
        in_province = [
            c
            for c in communes
            if self._province and c.province_id == self._province.pk and c.disabled_on is None
        ]
        in_province.sort(key=lambda c: c.label)
        self._communes = {c.code: c for c in in_province}
        self.has_communes = bool(in_province)
        self.province_rural: bool | None = None
        if in_province:
            kinds = {c.is_rural for c in in_province}
            self.province_rural = kinds.pop() if len(kinds) == 1 else None
        self.commune_options = [(c.code, c.label) for c in in_province]

        sectors = list(Sector.objects.all())
        sectors.sort(key=lambda s: s.label)
        self._field("sector").choices = blank + [
            (s.code, s.label) for s in sectors if s.disabled_on is None
        ]
        legal_forms: dict[str, Any] = dict(OrganisationKind.choices)
        legal_forms[OrganisationKind.INFORMAL] = _("Informal activity, or not created yet")
        self._field("legal_form").choices = blank + list(legal_forms.items())

        # The programmes whose former beneficiaries some rule excludes, by their names when
        # essor knows them.
        prior_codes = sorted(
            {
                code
                for programme in programmes
                for rule in programme.eligibility_rules.all()
                if rule.kind == RuleKind.PRIOR_SUPPORT
                for code in rule.params.get("programmes", [])
            }
        )
        names = {p.code: p.name for p in programmes}
        missing = [code for code in prior_codes if code not in names]
        if missing:
            for code, name_fr, name_ar in Programme.objects.filter(code__in=missing).values_list(
                "code", "name_fr", "name_ar"
            ):
                names[code] = _label(name_fr, name_ar)
        self.asks_prior = bool(prior_codes)
        self._field("prior").choices = [
            (code, names.get(code, code.upper())) for code in prior_codes
        ] + ([(NONE_OF_THEM, _("None of them"))] if prior_codes else [])

        # The answers as sent, to show them again (selected options, ticked boxes).
        self.shown: dict[str, Any] = {name: self._raw(name) for name in self.fields}
        for name in ("needs", "prior"):
            self.shown[name] = self._raw_list(name)

        places = dict(regions)
        places.update({p.code: p.label for p in provinces})
        places.update({c.code: c.label for c in communes})
        self.labels = Labels(
            places=places,
            sectors={s.code: s.label for s in sectors},
            programmes={code: names.get(code, code.upper()) for code in {*prior_codes, *names}},
        )

    def _field(self, name: str) -> forms.ChoiceField:
        field_ = self.fields[name]
        assert isinstance(field_, forms.ChoiceField)
        return field_

    def _raw(self, name: str) -> str:
        value = self.data.get(name) if self.is_bound else None
        return value.strip() if isinstance(value, str) else ""

    def _raw_list(self, name: str) -> list[str]:
        if not self.is_bound:
            return []
        getlist = getattr(self.data, "getlist", None)
        values = getlist(name) if getlist else self.data.get(name, [])
        return [v for v in ([values] if isinstance(values, str) else values) if isinstance(v, str)]

    def clean_commune(self) -> str:
        code: str = self.cleaned_data.get("commune") or ""
        return code if code in self._communes else ""

    def clean_prior(self) -> list[str]:
        values: list[str] = self.cleaned_data.get("prior") or []
        if NONE_OF_THEM in values and len(values) > 1:
            raise ValidationError(
                _("Tick the programmes that supported you, or “None of them”, not both.")
            )
        return values

    def place(self) -> tuple[Province | None, Commune | None]:
        """The province and commune answered (the commune's province if only it was)."""
        data = getattr(self, "cleaned_data", {})
        province = self._provinces.get(data.get("province") or "")
        commune = self._communes.get(data.get("commune") or "")
        if commune is not None:
            province = self._province
        return province, commune


def subject_from(form: FinderForm) -> Subject:
    """The screening subject of a valid form's answers; a blank answer stays ``None``.

    A project at the idea or preparation stage has no enterprise yet: its legal form is
    "informal" and its age 0 unless answered otherwise. Prior support is ``None`` when the
    question was left blank, ``[]`` for "none of them", else one declared support each.
    """
    data = form.cleaned_data
    province, commune = form.place()
    not_created = data.get("stage") in NOT_CREATED
    legal_form = data.get("legal_form") or (OrganisationKind.INFORMAL if not_created else None)
    organisation_age = data.get("organisation_age")
    if organisation_age is None and not_created:
        organisation_age = 0
    prior_answer: list[str] = data.get("prior") or []
    prior: list[PriorSupport] | None = None
    if prior_answer:
        prior = [
            PriorSupport(code, None, DECLARED) for code in prior_answer if code != NONE_OF_THEM
        ]
    if commune is not None:
        rural: bool | None = commune.is_rural
    else:
        rural = form.province_rural if province is not None else None
    return Subject(
        age=data.get("age"),
        sex=data.get("sex") or None,
        region=province.region.code if province else None,
        province=province.code if province else None,
        commune=commune.code if commune else None,
        rural=rural,
        legal_form=str(legal_form) if legal_form else None,
        sector=data.get("sector") or None,
        organisation_age=organisation_age,
        prior=prior,
    )


@dataclass
class Verdict:
    """One open programme read against the answers."""

    programme: Programme
    why: list[str] = field(default_factory=list)  # reasons of the rules that pass
    failing: list[str] = field(default_factory=list)  # reasons of the rules that fail
    missing: list[str] = field(default_factory=list)  # rules unknown: the question to answer
    on_application: list[str] = field(default_factory=list)  # rules the finder does not ask
    offers: list[str] = field(default_factory=list)  # the grant rule, read aloud
    needs: list[str] = field(default_factory=list)  # the user's needs its text mentions
    apply_url: str = ""


@dataclass
class FinderResult:
    fits: list[Verdict]
    almost: list[Verdict]
    others_count: int

    @property
    def empty(self) -> bool:
        return not self.fits and not self.almost


def apply_url(programme: Programme) -> str:
    try:
        return reverse("programmes:apply", args=[programme.pk])
    except NoReverseMatch:
        return ""


def _readable(result: RuleResult, labels: Labels) -> str:
    """The reason of ``result`` with names instead of codes."""
    params = dict(result.params)
    if "place" in params:
        params["place"] = labels.places.get(params["place"], params["place"])
    if result.kind == RuleKind.SECTORS and "value" in params:
        params["value"] = labels.sectors.get(params["value"], params["value"])
    if result.kind == RuleKind.PRIOR_SUPPORT:
        if "name" in params:
            params["name"] = labels.programmes.get(params["name"], params["name"])
        if "names" in params:
            params["names"] = ", ".join(
                labels.programmes.get(code.strip(), code.strip())
                for code in params["names"].split(",")
            )
    return replace(result, params=params).reason


def _rule_text(rule: EligibilityRule, labels: Labels) -> str:
    """The rule in a sentence, with names instead of codes."""
    params = dict(rule.params)
    if rule.kind == RuleKind.TERRITORY:
        for key in ("regions", "provinces", "communes"):
            params[key] = [labels.places.get(c, c) for c in params.get(key, [])]
    elif rule.kind == RuleKind.SECTORS:
        params["values"] = [labels.sectors.get(c, c) for c in params.get("values", [])]
    elif rule.kind == RuleKind.PRIOR_SUPPORT:
        params["programmes"] = [labels.programmes.get(c, c) for c in params.get("programmes", [])]
    return describe(rule.kind, params)


def _question(rule: EligibilityRule, subject: Subject, labels: Labels) -> str:
    question = QUESTIONS.get(rule.kind, "")
    if rule.kind == RuleKind.TERRITORY and subject.province is not None:
        question = COMMUNE_LABEL  # the province is known; whether the commune is rural is not
    return _("%(rule)s — answer “%(question)s” to know whether you qualify.") % {
        "rule": _rule_text(rule, labels),
        "question": question,
    }


def _needs(programme: Programme, needs: Collection[str], has_grant: bool) -> list[str]:
    text = " ".join(
        (
            programme.services_fr,
            programme.services_ar,
            programme.description_fr,
            programme.description_ar,
        )
    ).casefold()
    labels = dict(Need.choices)
    found = []
    for need in Need.values:
        if need not in needs:
            continue
        if any(word in text for word in NEED_WORDS[need]) or (need == Need.FINANCING and has_grant):
            found.append(str(labels[need]))
    return found


def verdict(
    programme: Programme,
    subject: Subject,
    *,
    needs: Collection[str] = (),
    labels: Labels | None = None,
) -> Verdict:
    labels = labels or Labels()
    rules = list(programme.eligibility_rules.all())
    result = Verdict(programme=programme, apply_url=apply_url(programme))
    has_grant = False
    for rule, outcome in zip(rules, evaluate(rules, subject), strict=True):
        if rule.kind == RuleKind.GRANT:
            has_grant = True
            result.offers.append(_rule_text(rule, labels))
        elif outcome.status == PASS:
            result.why.append(_readable(outcome, labels))
        elif outcome.status == FAIL:
            result.failing.append(_readable(outcome, labels))
        elif outcome.status == UNKNOWN and rule.kind in ASKED:
            result.missing.append(_question(rule, subject, labels))
        else:
            result.on_application.append(_rule_text(rule, labels))
    result.needs = _needs(programme, needs, has_grant)
    return result


def match(
    programmes: Iterable[Programme],
    subject: Subject,
    today: date,
    *,
    needs: Collection[str] = (),
    labels: Labels | None = None,
) -> FinderResult:
    """Sort the programmes open on ``today`` into those that fit, almost fit, or do not.

    A programme fits when none of its rules fails or is unknown; it almost fits when exactly
    one rule fails, or none fails and some are unknown (a question left blank). Closed
    programmes are left out, not counted. Rules the finder does not ask about do not decide.
    """
    subject = replace(subject, on=today)
    fits: list[Verdict] = []
    almost: list[Verdict] = []
    others = 0
    for programme in programmes:
        if not is_open(programme, today):
            continue
        found = verdict(programme, subject, needs=needs, labels=labels)
        if not found.failing and not found.missing:
            fits.append(found)
        elif len(found.failing) == 1 or (not found.failing and found.missing):
            almost.append(found)
        else:
            others += 1
    fits.sort(key=lambda v: (-len(v.needs), v.programme.name))
    almost.sort(key=lambda v: (len(v.failing), len(v.missing), v.programme.name))
    return FinderResult(fits=fits, almost=almost, others_count=others)
