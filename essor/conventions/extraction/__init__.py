"""From an announcement to a draft convention: read a French text, propose the record.

``extract(text)`` returns one :class:`ConventionProposal` per convention the text announces
(``[]`` when it announces none) and raises :class:`ExtractionError` for a text it cannot read;
``match_partners`` finds the partners essor already has; ``read_upload`` reads .txt, .docx and
.pdf files; ``drafts.draft_save`` saves what the user accepted. ``docs/decisions/0016`` explains
the approach.
"""

from .files import MAX_FILE_BYTES, read_upload
from .matching import match_partners
from .proposal import ConventionProposal, Evidence, PartnerProposal, Proposed, TargetProposal
from .rules import extract
from .text import ExtractionError

__all__ = [
    "MAX_FILE_BYTES",
    "ConventionProposal",
    "Evidence",
    "ExtractionError",
    "PartnerProposal",
    "Proposed",
    "TargetProposal",
    "extract",
    "match_partners",
    "read_upload",
]
