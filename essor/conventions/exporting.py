"""Budget execution as an XLSX workbook: one sheet per view (lines, partners, programmes).

Amounts are written as numbers with a two-decimal format, so that the committee's
accountants can add them up in Excel; the headers follow the user's language.
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from essor.core.text import spreadsheet_cell

from .selectors import ConventionExecution, Execution

AMOUNT_FORMAT = "#,##0.00"


def _amount(value: Decimal | None) -> float | None:
    # openpyxl stores numbers as floats; two-decimal dirhams up to 10^12 are exact in a double.
    return None if value is None else float(value)


def execution_xlsx(execution: ConventionExecution) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    convention = execution.convention
    total = execution.total
    rows: list[tuple[str, object]] = [
        (_("Convention"), spreadsheet_cell(f"{convention.reference} — {convention.title}")),
        (_("Status"), str(convention.get_status_display())),
        (_("Envelope (with signed amendments)"), _amount(execution.envelope)),
        (_("Pledged by the parties"), _amount(total.pledged)),
        (_("Received from the parties"), _amount(total.received)),
        (_("Budgeted"), _amount(total.budgeted)),
        (_("Committed"), _amount(total.committed)),
        (_("Disbursed"), _amount(total.disbursed)),
        (_("Left to commit"), _amount(total.remaining)),
    ]
    for label, value in rows:
        summary.append([label, value])
        if isinstance(value, float):
            summary.cell(row=summary.max_row, column=2).number_format = AMOUNT_FORMAT
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 60

    def sheet(title: str, first: str, items: list[Execution], with_pledges: bool = False) -> None:
        ws = workbook.create_sheet(title[:31])
        headers = [first]
        if with_pledges:
            headers += [_("Pledged"), _("Called"), _("Received")]
        headers += [
            _("Budgeted"),
            _("Committed"),
            _("Disbursed"),
            _("Left to commit"),
            _("Committed (%)"),
            _("Disbursed (%)"),
        ]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for item in items:
            values: list[object] = [spreadsheet_cell(item.label)]
            if with_pledges:
                values += [_amount(item.pledged), _amount(item.called), _amount(item.received)]
            values += [
                _amount(item.budgeted),
                _amount(item.committed),
                _amount(item.disbursed),
                _amount(item.remaining),
                None if item.committed_pct is None else float(item.committed_pct),
                None if item.disbursed_pct is None else float(item.disbursed_pct),
            ]
            ws.append(values)
            for cell in ws[ws.max_row][1:-2]:
                cell.number_format = AMOUNT_FORMAT
        ws.column_dimensions["A"].width = 50
        for column in "BCDEFGHIJ":
            ws.column_dimensions[column].width = 18

    sheet(_("By line"), _("Budget line"), execution.lines)
    sheet(_("By partner"), _("Partner"), execution.partners, with_pledges=True)
    sheet(_("By programme"), _("Programme"), execution.programmes)
    if translation.get_language() == "ar":  # an Arabic workbook reads right to left
        for ws in workbook.worksheets:
            ws.sheet_view.rightToLeft = True
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
