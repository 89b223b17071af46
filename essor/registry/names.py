"""Search keys for names, so that the usual spellings of one name meet.

Latin script: case, accents, apostrophes and hyphens are folded; then the transliteration
variants of Moroccan names are folded into a consonant skeleton (Mohamed, Mohammed, Mhamed and
Muhammad all give ``mhmd``; El/Al and ou/u meet too). Arabic script: diacritics and tatweel are
removed and the letter variants folded (أ إ آ → ا, ة → ه, ى → ي).

Each name token gives two keys: ``f:<folded>`` (matched first, exact spelling) and
``s:<skeleton>`` (matched as a variant). A glued article (``Elidrissi``, ``الادريسي``) also gives
the keys of the name without it. Cross-script matching is the linkage app's job.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"}
)
ARABIC_LETTERS = re.compile("[\u0600-\u06ff]")
LATIN_ARTICLES = ("el", "al")
ARTICLES = {"el", "al", "l"}
LATIN_SUBSTITUTIONS = [
    ("ou", "u"),
    ("oo", "u"),
    ("ph", "f"),
    ("sh", "ch"),
    ("dj", "j"),
    ("q", "k"),
    ("ck", "k"),
    ("y", "i"),
    ("ee", "i"),
    ("w", "u"),
]
VOWELS = re.compile("[aeiou]")
REPEATS = re.compile(r"(.)\1+")


def is_arabic(text: str) -> bool:
    return bool(ARABIC_LETTERS.search(text))


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case, no accents, no diacritics; letters, digits and single spaces only."""
    text = ARABIC_DIACRITICS.sub("", text).translate(ARABIC_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("'", " ").replace("’", " ").replace("-", " ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """The consonant skeleton of a folded Latin token (``mohammed`` -> ``mhmd``)."""
    if is_arabic(token):
        return token
    if token in ARTICLES:
        return "l"
    for old, new in LATIN_SUBSTITUTIONS:
        token = token.replace(old, new)
    token = REPEATS.sub(r"\1", token)
    head, tail = token[:1], VOWELS.sub("", token[1:])
    return REPEATS.sub(r"\1", head + tail)


def _without_article(token: str) -> str | None:
    if is_arabic(token):
        if token.startswith("ال") and len(token) > 4:
            return token[2:]
        return None
    for article in LATIN_ARTICLES:
        if token.startswith(article) and len(token) > len(article) + 3:
            return token[len(article) :]
    return None


def tokens(text: str) -> list[str]:
    return fold(text).split()


@lru_cache(maxsize=200_000)
def _keys_of(name: str) -> frozenset[str]:
    keys: set[str] = set()
    for token in tokens(name):
        variants = [token]
        if bare := _without_article(token):
            variants.append(bare)
        for variant in variants:
            keys.add("f:" + variant)
            keys.add("s:" + skeleton(variant))
    return frozenset(keys)


def name_keys(*names: str) -> set[str]:
    """Every search key of a person's or an organisation's names."""
    keys: set[str] = set()
    for name in names:
        if name:
            keys |= _keys_of(name)
    return keys


def link_keys(first: str, last: str, first_ar: str = "", last_ar: str = "") -> set[str]:
    """The keys linkage finds a person by: ``l:<given key>|<family key>`` from each script.

    The keys are the same in both scripts for most names (``essor.linkage.namekey``), so a
    person typed in Latin script meets one registered in Arabic script.
    """
    from essor.linkage.namekey import person_keys

    keys: set[str] = set()
    for given, family in (person_keys("", "", first_ar, last_ar), person_keys(first, last)):
        if given:
            keys.add(f"l:{given}|{family}"[:64])
    return keys


def person_name_keys(first: str, last: str, first_ar: str, last_ar: str) -> set[str]:
    """A person's search keys and link keys."""
    return name_keys(first, last, first_ar, last_ar) | link_keys(first, last, first_ar, last_ar)


def query_keys(token: str) -> tuple[str, str]:
    """The two key prefixes one typed token looks for."""
    return "f:" + token, "s:" + skeleton(token)


def identity_key(first: str, last: str, first_ar: str, last_ar: str, birth: object) -> str:
    """``fold(first)|fold(last)|birth date``, Latin names first, else the Arabic ones."""
    names = (fold(first), fold(last)) if first or last else (fold(first_ar), fold(last_ar))
    return "|".join((*names, birth.isoformat() if hasattr(birth, "isoformat") else ""))[:200]
