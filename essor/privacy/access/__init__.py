"""The right of access (law 09-08, article 7): everything essor holds on one person.

:func:`access_report` gathers it in one structure, in the active language; the page, the
JSON (:func:`report_json`) and the PDF (:func:`report_pdf`) are three views of it, so that
they say the same. It covers every model that points at a person or at the organisations
they are a member of (:data:`COVERED`), their audit trail, and says for the others why they
are left out (:data:`EXCLUDED`); a test walks the app registry and fails when a new model is
in neither.

Partner isolation holds here too: the records of the partners in the user's scope are given in
full; those held by other partners are counted by partner (:attr:`AccessReport.elsewhere`), so
that the person knows whom else to ask, without this partner reading them.
"""

from .coverage import COVERED, EXCLUDED, WITH_TRAIL
from .render import report_dict, report_file, report_html, report_json, report_pdf
from .report import access_report
from .structure import BOOL, DATE, DATETIME, MONEY, NUMBER, TEXT, AccessReport, Section

__all__ = [
    "BOOL",
    "COVERED",
    "DATE",
    "DATETIME",
    "EXCLUDED",
    "MONEY",
    "NUMBER",
    "TEXT",
    "WITH_TRAIL",
    "AccessReport",
    "Section",
    "access_report",
    "report_dict",
    "report_file",
    "report_html",
    "report_json",
    "report_pdf",
]
