"""The page "Export for evaluation": the form, the file, and the data dictionary alone.

Guarded by ``research.export``; a convention or programme outside the user's reach is answered
as missing (404), as in the API, and nothing is produced.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from essor.accounts.models import User
from essor.core.forms import form_errors
from essor.core.http import EssorRequest

from .columns import Column, columns
from .files import csv_stream, dictionary_csv, dictionary_row, file_name, xlsx_file
from .pseudonyms import AGE_BANDS, Pseudonymiser
from .scope import (
    ExportScope,
    can_export,
    export_scope,
    log_export,
    selectable_conventions,
    selectable_programmes,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ResearchExportForm(forms.Form):
    convention: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("Convention"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— none: one programme only —"),
    )
    programme: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— every programme of the convention —"),
    )
    rows = forms.ChoiceField(
        label=gettext_lazy("One row per"),
        choices=[
            ("applications", gettext_lazy("application")),
            ("enrollments", gettext_lazy("enrolment (enrolled holders only)")),
        ],
        initial="applications",
        required=False,
        widget=forms.RadioSelect,
    )
    format = forms.ChoiceField(
        label=gettext_lazy("File"),
        choices=[
            ("xlsx", gettext_lazy("Excel (XLSX), with the data dictionary")),
            ("csv", gettext_lazy("CSV (UTF-8), for R, Stata or Python")),
        ],
        initial="xlsx",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, actor: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        convention: Any = self.fields["convention"]
        programme: Any = self.fields["programme"]
        convention.queryset = selectable_conventions(actor)
        programme.queryset = selectable_programmes(actor)
        convention.label_from_instance = lambda c: f"{c.reference} — {c.title}"
        programme.label_from_instance = lambda p: f"{p.code} — {p.name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A link may leave them out: one row per application, in Excel.
        data["rows"] = data.get("rows") or "applications"
        data["format"] = data.get("format") or "xlsx"
        if not self.errors and data.get("convention") is None and data.get("programme") is None:
            raise ValidationError(_("Choose a convention, a programme, or both."))
        return data


def _outside_reach(form: ResearchExportForm) -> bool:
    """An id the user may not export is answered as a missing one."""
    return form.has_error("convention", "invalid_choice") or form.has_error(
        "programme", "invalid_choice"
    )


def _dictionary(rows: list[Column]) -> list[list[str]]:
    return [dictionary_row(column) for column in rows]


@login_required
def export(request: EssorRequest) -> HttpResponseBase:
    """The form; with a valid choice in the query, the file."""
    actor = request.user
    if not can_export(actor):
        raise Http404
    asked = bool(request.GET)
    form = ResearchExportForm(actor, request.GET if asked else None)
    if asked and form.is_valid():
        data = form.cleaned_data
        try:
            scope = export_scope(
                actor,
                convention_id=data["convention"].pk if data["convention"] else None,
                programme_id=data["programme"].pk if data["programme"] else None,
                rows=data["rows"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return _file(request, scope, data["format"])
    if asked and _outside_reach(form):
        raise Http404
    names = Pseudonymiser()
    return render(
        request,
        "monitoring/research.html",
        {
            "form": form,
            "nothing_to_export": not (
                selectable_conventions(actor).exists() or selectable_programmes(actor).exists()
            ),
            "dictionary": _dictionary(columns()),
            "bands": [label for label, _low, _high in AGE_BANDS],
            "fingerprint": names.fingerprint,
        },
        status=400 if asked else 200,
    )


def _file(request: EssorRequest, scope: ExportScope, fmt: str) -> HttpResponseBase:
    names = Pseudonymiser()
    log_export(request.user, scope, fmt)
    name = file_name(scope, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_stream(scope, language=translation.get_language() or "fr", names=names),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    content, _count = xlsx_file(scope, names=names)
    return FileResponse(content, as_attachment=True, filename=name, content_type=XLSX)


@login_required
def dictionary(request: EssorRequest) -> HttpResponse:
    """The data dictionary alone, as CSV (the XLSX carries it as its second sheet)."""
    if not can_export(request.user):
        raise Http404
    response = HttpResponse(dictionary_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="essor-evaluation-dictionary.csv"'
    return response
