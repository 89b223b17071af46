"""Bulk screening page: how many persons of the registry a programme's rules admit, and who.

Personal data: the page needs ``personal.view`` and counts only the persons of the user's
partner scope; the list itself leaves essor only with ``registry.export``.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from essor.accounts.permissions import require
from essor.accounts.roles import Cap
from essor.core.http import EssorRequest
from essor.privacy.services import ShownCins, without_objections
from essor.registry.exporting import person_columns, to_csv, to_xlsx
from essor.registry.models import Person
from essor.territory.models import Province, Region

from .bulk import bulk_counts, eligible_persons
from .models import Programme
from .permissions import access_programme

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class TerritoryFilterForm(forms.Form):
    """Narrow the screening to one region or one province (HCP codes in the query string)."""

    region = forms.ModelChoiceField(
        Region.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Region"),
        empty_label=_("All"),
    )
    province = forms.ModelChoiceField(
        Province.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Province or prefecture"),
        empty_label=_("All"),
    )


def _screen(
    request: EssorRequest, pk: int
) -> tuple[Programme, TerritoryFilterForm, QuerySet[Person], list[str], date]:
    """The guarded programme, the filter form and the eligible persons in the user's scope."""
    programme = access_programme(request.user, pk)
    require(request.user, Cap.PERSONAL_VIEW)
    form = TerritoryFilterForm(request.GET or None)
    territory: dict[str, str] = {}
    if form.is_bound:
        form.is_valid()  # an unknown code is shown as an error and not applied
        for key in ("region", "province"):
            if form.cleaned_data.get(key) is not None:
                territory[key] = form.cleaned_data[key].code
    on = timezone.localdate()
    eligible, not_applied = eligible_persons(
        programme,
        on=on,
        territory=territory,
        persons=Person.objects.visible_to(request.user),
    )
    return programme, form, eligible, not_applied, on


@login_required
def bulk_screening(request: EssorRequest, pk: int) -> HttpResponse:
    programme, form, eligible, not_applied, on = _screen(request, pk)
    rules = list(programme.eligibility_rules.order_by("pk"))
    context = {
        "programme": programme,
        "form": form,
        "on": on,
        "counts": bulk_counts(eligible, on=on),
        "applied": [rule for rule in rules if rule.kind not in not_applied],
        "not_applied": [rule for rule in rules if rule.kind in not_applied],
        "can_export": request.user.can(Cap.REGISTRY_EXPORT),
        "query": request.GET.urlencode(),
    }
    return render(request, "programmes/bulk_screening.html", context)


@login_required
def bulk_export(request: EssorRequest, pk: int, fmt: str) -> HttpResponse:
    """The eligible persons as the registry exports them (CIN masked without the right)."""
    if fmt not in EXPORT_TYPES:
        raise Http404
    programme, _form, eligible, _not_applied, on = _screen(request, pk)
    require(request.user, Cap.REGISTRY_EXPORT)
    # Persons who objected are left out of the list (law 09-08; decision 0018); full CINs
    # that leave are in the access log, written once the file is built.
    shown = ShownCins(request.user, path=request.path)
    records = shown.watch(
        without_objections(eligible).select_related("commune").iterator(chunk_size=2000)
    )
    columns = person_columns(request.user)
    content: str | bytes
    if fmt == "csv":
        content = to_csv(records, columns)
    else:
        content = to_xlsx(records, columns, programme.code)
    shown.write()
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    name = f"essor-eligible-{programme.code}-{on:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
