"""The monitoring committee's report of a convention for a period: PDF (WeasyPrint) and XLSX.

Both are built from one :class:`~essor.monitoring.dashboards.Dashboard`, the object the
dashboard page shows, so that every figure is the same number in the page, the PDF and the
spreadsheet. Arabic is laid out right to left and shaped by Pango (HarfBuzz) in the PDF.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal
from html import unescape
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from essor.core.text import spreadsheet_cell

from . import dashboards
from .dashboards import Dashboard
from .indicators import BY_CODE, Period, Scope

if TYPE_CHECKING:
    from essor.conventions.models import Convention

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Progress = Callable[[str], None]


def report_dashboard(
    convention: Convention,
    period: Period,
    *,
    public: bool = False,
    progress: Progress | None = None,
) -> Dashboard:
    if progress:
        progress(_("Computing the indicators"))
    board = dashboards.build(Scope("convention", convention), period, public=public, links=False)
    if progress:
        progress(_("Targets, budget and the committee's work"))
    dashboards.convention_extra(board)
    return board


def report_html(board: Dashboard) -> str:
    return render_to_string(
        "monitoring/report.html",
        {
            "board": board,
            "convention": board.scope.obj,
            "generated_at": timezone.localtime(),
            "LANGUAGE_BIDI": translation.get_language_bidi(),
            "LANGUAGE_CODE": translation.get_language(),
        },
    )


ARABIC = re.compile(r"[\u0600-\u06ff]")
DIRECTION = re.compile(r'\s(?:direction|unicode-bidi)="[^"]*"')
SVG_TEXT = re.compile(r"(<text\b[^>]*>)([^<]*)(</text>)")


def shape_svg_text(svg: str) -> str:
    """Arabic in an SVG's ``<text>``, shaped and in visual order, for WeasyPrint.

    WeasyPrint lays out HTML text with Pango (shaped, bidi) but draws SVG text one glyph at a
    time, left to right, unjoined. For the PDF only, each Arabic label is turned into its
    joined presentation forms (arabic-reshaper) in display order (python-bidi); the page keeps
    the plain text, which the browser shapes itself. The figure is otherwise the same."""
    from arabic_reshaper import reshape
    from bidi import get_display

    def fix(match: re.Match[str]) -> str:
        # WeasyPrint cuts a text with direction="rtl" to its first glyph: the text is put in
        # display order here instead, and its anchor already places it.
        tag = DIRECTION.sub("", match[1])
        text = unescape(match[2])
        if ARABIC.search(text):
            text = get_display(reshape(text))
        return f"{tag}{escape(text)}{match[3]}"

    return SVG_TEXT.sub(fix, svg)


def report_pdf(board: Dashboard) -> bytes:
    from weasyprint import HTML

    if translation.get_language_bidi():
        board.map_svg = shape_svg_text(board.map_svg)
        board.charts = [(title, shape_svg_text(svg)) for title, svg in board.charts]
    return bytes(HTML(string=report_html(board)).write_pdf())


def report_xlsx(board: Dashboard) -> bytes:
    """The same figures as the PDF, as numbers a spreadsheet can add up."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    rtl = translation.get_language_bidi()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list[Any]], *, first: bool = False) -> None:
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        ws.title = title[:31]
        ws.sheet_view.rightToLeft = rtl
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([_cell(v) for v in row])
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in column)
            letter = getattr(column[0], "column_letter", "A")
            ws.column_dimensions[letter].width = min(60, max(10, width + 2))

    convention = board.scope.obj
    sheet(
        _("Indicators"),
        [_("Code"), _("Indicator"), _("Unit"), _("Value"), _("Definition")],
        [
            [
                f.indicator.code,
                f.indicator.label,
                f.indicator.unit_label,
                _masked(f.indicator.code, f.value, board),
                str(f.indicator.definition),
            ]
            for f in board.figures
        ],
        first=True,
    )
    sheet(
        _("Targets"),
        [_("Target"), _("Indicator"), _("Target value"), _("Due on"), _("Actual"), _("Status")],
        [
            [
                t.target.label,
                t.indicator.code if t.indicator else "",
                t.target.value,
                t.target.due_on,
                t.actual,
                t.status_label,
            ]
            for t in board.targets
        ],
    )
    execution = board.extra["execution"]
    money_header = [_("Budgeted"), _("Committed"), _("Disbursed"), _("Disbursed (%)")]
    sheet(
        _("Execution by partner"),
        [_("Partner"), *money_header, _("Pledged"), _("Received")],
        [
            [
                row.label,
                row.budgeted,
                row.committed,
                row.disbursed,
                row.disbursed_pct,
                row.pledged,
                row.received,
            ]
            for row in execution.partners
        ],
    )
    sheet(
        _("Execution by line"),
        [_("Budget line"), *money_header],
        [
            [row.label, row.budgeted, row.committed, row.disbursed, row.disbursed_pct]
            for row in execution.lines
        ],
    )
    for part in board.breakdowns:
        sheet(
            part.title,
            ["", *part.headers],
            [
                [row.label, *[_masked(c, row.values[c], board, row=row) for c in part.columns]]
                for row in part.rows
            ],
        )
    sheet(
        _("Committee actions"),
        [_("Action"), _("Person in charge"), _("Due on"), _("Status")],
        [
            [
                a.text,
                a.owner_name or (str(a.owner) if a.owner else ""),
                a.due_on,
                a.get_status_display(),
            ]
            for a in board.extra["actions"]
        ],
    )
    sheet(
        _("Decisions"),
        [_("Meeting"), _("Decision")],
        [[d.meeting.held_on, d.text] for d in board.extra["decisions"]],
    )
    meta = book.create_sheet(_("About")[:31])
    meta.sheet_view.rightToLeft = rtl
    for row in (
        [_("Convention"), convention.reference, convention.title],
        [_("Period"), board.period.label],
        [
            _("Figures as of"),
            timezone.localtime(board.refreshed.finished_at).strftime("%d/%m/%Y %H:%M")
            if board.refreshed and board.refreshed.finished_at
            else _("never computed"),
        ],
        [
            _("For publication"),
            _("yes: groups of fewer than 5 people are not shown") if board.public else _("no"),
        ],
    ):
        meta.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral() else int(value)
    return spreadsheet_cell(value)  # a name typed "=…" stays text


def _masked(code: str, value: Any, board: Dashboard, row: Any = None) -> Any:
    """The number, or "< 5" where a report for publication hides a small group."""
    if not board.public:
        return value
    cell = row.values["holders_reached"] if row is not None else None
    base = row.bases.get(code) if row is not None else board.bases.get(code)
    text = dashboards.display(BY_CODE[code], value, public=True, cell=cell, base=base)
    return text if text in ("< 5", "—") else value


def report_file(
    convention: Convention,
    period: Period,
    *,
    lang: str,
    fmt: str,
    public: bool = False,
    progress: Progress | None = None,
) -> tuple[bytes, str, str]:
    """The report's bytes, content type and file name."""
    if fmt not in ("pdf", "xlsx"):
        raise ValueError(fmt)
    lang = "ar" if lang == "ar" else "fr"
    with translation.override(lang):
        board = report_dashboard(convention, period, public=public, progress=progress)
        if progress:
            progress(_("Writing the PDF") if fmt == "pdf" else _("Writing the spreadsheet"))
        content = report_pdf(board) if fmt == "pdf" else report_xlsx(board)
    name = f"essor-report-{convention.reference}-{period.label}-{lang}.{fmt}"
    return content, "application/pdf" if fmt == "pdf" else XLSX, name
