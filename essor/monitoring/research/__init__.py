"""Pseudonymised exports for evaluators and researchers: one row per application, no identity.

A row says what happened to an application (status, scores, enrolment, attendance, money,
follow-ups) and who applied only as far as statistics need: a **stable pseudonym** in place of
the person and of the enterprise, the age **in bands** at the application date, sex, education,
sector and place (commune, province, region). Names, CIN, phone, e-mail, address and birth date
never go into a row (the birth date is read only to compute the band).

Pseudonyms are keyed HMAC-SHA256 of the record's id. The key never leaves essor: it is read
from ``ESSOR_PSEUDONYM_KEY``, else from a file generated once under ``VAR_DIR`` (mode 0600).
The same key gives the same pseudonym in every export; without the key a pseudonym cannot be
turned back into an id (nor an id into its pseudonym). A new key gives new pseudonyms.

Who is in the file follows the figures' rules (``facts.py``): a merged duplicate counts as the
record it was merged into (and takes its pseudonym); an archived record that was not merged is
left out; a person who objected (law 09-08) is left out. See
``docs/decisions/0021-pseudonymised-exports.md``.

- ``pseudonyms``: the key, the pseudonyms, the age bands;
- ``scope``: who may export, what they may choose, which applications go in;
- ``columns``: the columns and their data dictionary;
- ``rows``: the rows, a chunk of applications at a time;
- ``files``: CSV (streamed) and XLSX (with the dictionary);
- ``views`` and ``api``: the page and the JSON endpoint.
"""

from .columns import Column, columns
from .pseudonyms import AGE_BANDS, KEY_ENV, KEY_FILE_NAME, Pseudonymiser, age_band, pseudonym_key
from .rows import export_rows
from .scope import (
    ExportScope,
    applications,
    can_export,
    export_scope,
    selectable_conventions,
    selectable_programmes,
)

__all__ = [
    "AGE_BANDS",
    "KEY_ENV",
    "KEY_FILE_NAME",
    "Column",
    "ExportScope",
    "Pseudonymiser",
    "age_band",
    "applications",
    "can_export",
    "columns",
    "export_rows",
    "export_scope",
    "pseudonym_key",
    "selectable_conventions",
    "selectable_programmes",
]
