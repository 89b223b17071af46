"""Rendering the report: JSON-ready data, the JSON file, the HTML and the PDF (WeasyPrint),
and the downloadable file in the person's language."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .report import access_report
from .structure import AccessReport

if TYPE_CHECKING:
    from essor.accounts.models import User
    from essor.registry.models import Person


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def report_dict(report: AccessReport) -> dict[str, Any]:
    """The report as JSON-ready data: machine keys, labels and values in its language."""
    return {
        "about": _("Data held by essor on one person (law 09-08, right of access)"),
        "language": report.language,
        "generated_at": _json_value(report.generated_at),
        "generated_by": report.generated_by,
        "sections": {
            s.key: {
                "title": s.title,
                **({"note": s.note} if s.note else {}),
                "columns": {key: label for key, label, _kind in s.columns},
                "rows": [{k: _json_value(v) for k, v in row.items()} for row in s.rows],
            }
            for s in report.sections
        },
        "held_by_other_partners": report.elsewhere,
    }


def report_json(report: AccessReport) -> bytes:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2).encode()


def report_html(report: AccessReport, *, for_pdf: bool = True) -> str:
    return render_to_string(
        "privacy/access_pdf.html",
        {
            "report": report,
            "LANGUAGE_CODE": report.language,
            "LANGUAGE_BIDI": translation.get_language_bidi(),
        },
    )


def report_pdf(report: AccessReport) -> bytes:
    """A readable PDF (WeasyPrint): Arabic is shaped and laid out right to left by Pango, as
    in the committee's report (it holds no SVG, which needs shaping by hand)."""
    from weasyprint import HTML

    return bytes(HTML(string=report_html(report)).write_pdf())


def report_file(person: Person, *, actor: User, lang: str, fmt: str) -> tuple[bytes, str, str]:
    """The report's bytes, content type and file name, in ``lang`` (fr or ar)."""
    if fmt not in ("pdf", "json"):
        raise ValueError(fmt)
    lang = "ar" if lang == "ar" else "fr"
    with translation.override(lang):
        report = access_report(person, actor=actor)
        if fmt == "pdf":
            content, kind = report_pdf(report), "application/pdf"
        else:
            content, kind = report_json(report), "application/json"
    name = f"essor-data-{person.pk}-{timezone.localdate():%Y%m%d}-{lang}.{fmt}"
    return content, kind, name
