"""Canonical keys for Moroccan names, so that the Arabic and the Latin spellings of a name meet.

A key is the name's consonant skeleton written with one Latin letter per consonant class:
``name_key("محمد") == name_key("Mohamed") == name_key("Muhammad") == "mhmd"``. Both scripts are
reduced to the same classes (ح and ه are ``h``; ق, ك, خ, غ, "q" and "g" are ``k``; ش, "ch" and
"sh" are ``c``…), vowels, ع, hamza and the semi-vowels و and ي are dropped because Latin
spellings write them in too many ways, and the article, the Ben/Abd compounds and the feminine
ending are brought to one form. The rules and their measurement are in
``docs/decisions/0013-name-keys-across-scripts.md``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["edit_distance", "name_key", "name_tokens_key", "person_keys"]

# A vowel, a semi-vowel or a letter written as a vowel in Latin (ع, hamza). It separates two
# identical consonants ("Allal" علال keeps its two l) and is dropped at the end.
_V = "."

_ARABIC_RANGE = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Harakat, superscript alef, Quranic marks and tatweel carry no consonant.
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ی": "ي",
        "ک": "ك",
        "ؤ": "ء",
        "ئ": "ء",
    }
)
_ARABIC_CLASS = {
    "ب": "b",
    "پ": "b",
    "ت": "t",
    "ث": "t",
    "ط": "t",
    "ج": "j",
    "ژ": "j",
    "ح": "h",
    "ه": "h",
    "خ": "k",
    "ق": "k",
    "ك": "k",
    "د": "d",
    "ذ": "d",
    "ض": "d",
    "ظ": "d",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ص": "s",
    "ش": "c",
    "چ": "c",
    "غ": "k",
    "گ": "k",
    "ڭ": "k",
    "ف": "f",
    "ڤ": "f",
    "ڥ": "f",
    "ل": "l",
    "م": "m",
    "ن": "n",
}
_ARABIC_VOWELS = "اويعء"
_ARABIC_TO_CLASS = str.maketrans({**_ARABIC_CLASS, **dict.fromkeys(_ARABIC_VOWELS, _V)})

# Latin digraphs first, then single letters; upper case marks a class already decided.
_LATIN_STEPS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"sch|tch|ch|sh", "C"),
        (r"kh", "K"),
        (r"gh", "K"),
        (r"dj", "J"),
        (r"ph", "F"),
        (r"th", "T"),
        (r"ck|q", "K"),
        (r"c(?=[eiy])", "S"),
        (r"c", "K"),
        (r"g(?=[eiy])", "J"),
        (r"g", "K"),
        (r"x", "KS"),
        (r"v", "F"),
        (r"p", "B"),
        (r"[aeiouwy']", _V),
    )
)
_LATIN_CONSONANTS = frozenset("bcdfghjklmnrstz")
_NOT_CLASS = re.compile(r"[^a-z.]")

_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ`‘][^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})

# Words that are an article alone ("El Idrissi", "ال ادريسي") or, before a word starting with
# the same consonant, an assimilated article ("Ech-Chaoui", "Es Saidi").
_LATIN_ARTICLES = frozenset({"el", "al", "l", "ul", "il"})
_LATIN_SUN_ARTICLES = {
    "ech": "ch",
    "ach": "ch",
    "ash": "sh",
    "es": "s",
    "as": "s",
    "ed": "d",
    "ad": "d",
    "ez": "z",
    "az": "z",
    "en": "n",
    "an": "n",
    "er": "r",
    "ar": "r",
    "et": "t",
    "at": "t",
}
# Words that open a compound with the next word: "Abd El Kader", "Ben Ali", "Ait Taleb".
_LATIN_PREFIXES = frozenset(
    {
        "abd",
        "abdel",
        "abdal",
        "abdul",
        "abdoul",
        "abdil",
        "ben",
        "bin",
        "ibn",
        "bent",
        "bint",
        "ould",
        "ait",
        "ou",
        "u",
        "abou",
        "abu",
        "bou",
        "oulad",
        "ouled",
    }
)
_LATIN_BEN = frozenset({"ben", "bin", "ibn"})
_ARABIC_PREFIXES = frozenset(
    {"عبد", "بن", "ابن", "بنت", "ولد", "ايت", "او", "ابو", "بو", "اولاد", "ابي"}
)
_ARABIC_BEN = frozenset({"بن", "ابن"})
_ARABIC_GLUED_COMPOUND = re.compile(r"^(..+)(الدين|الله)$")

_LATIN_ABD = re.compile(r"^abd[aeiou]+l")
_LATIN_BEN_ARTICLE = re.compile(r"^(?:ben|bin|ibn)(?:el|al|l)(?=.)")
_LATIN_ARTICLE = re.compile(r"^(?:el|al|ul|il)(?=.)")
_LATIN_L_ARTICLE = re.compile(r"^l(?=[aeiou])")
_LATIN_L_BEFORE_CONSONANT = re.compile(r"^l(?=[^aeiouy'])")


def _collapse(classes: str) -> str:
    """Drop vowels after merging doubled consonants ("Mohammed" → mhmd, "Allal" → ll)."""
    merged = re.sub(r"(.)\1+", r"\1", classes)
    return merged.replace(_V, "")


# --- Arabic -----------------------------------------------------------------------------------


def _arabic_skeleton(word: str) -> str:
    return _collapse(_NOT_CLASS.sub("", word.translate(_ARABIC_TO_CLASS)))


def _arabic_word(word: str) -> tuple[str, bool]:
    """Key of one Arabic word, and whether it carried the article."""
    had_article = False
    # Folded first: إلهام is as often typed الهام, and both must give one key.
    word = word.translate(_ARABIC_FOLD)
    if word.startswith("عبدال") and len(word) > 5:  # عبدالقادر written as one word
        return "bd" + _arabic_word(word[5:])[0], False
    if match := _ARABIC_GLUED_COMPOUND.match(word):  # نورالدين, نصرالله written as one word
        return _arabic_word(match[1])[0] + _arabic_word(match[2])[0], False
    if word.startswith("ال") and len(word) > 3:
        word, had_article = word[2:], True
    if word in {"له", "اله"}:
        pass  # Allah and Ilah end in a true h: Abdallah, Abdelilah, Fathallah.
    elif word.endswith("اه"):
        word = word[:-1] + "ت"  # ta marbuta after alef is said "at": Najat, Hayat
    elif word.endswith("ه") and len(word) > 2:
        word = word[:-1]  # ta marbuta (written ه in the keys) is a vowel: Fatima, Amina
    if not had_article and word.startswith("ل") and len(_arabic_skeleton(word[1:])) >= 2:
        word, had_article = word[1:], True  # the spoken article, as in Latin: لحسن, Lahcen
    # ت and ش together are the "ch" of foreign names (Richard, Charles).
    classes = word.replace("تش", "ش").translate(_ARABIC_TO_CLASS)
    return _collapse(_NOT_CLASS.sub("", classes)), had_article


# --- Latin ------------------------------------------------------------------------------------


def _latin_classes(word: str) -> str:
    for pattern, replacement in _LATIN_STEPS:
        word = pattern.sub(replacement, word)
    return "".join(c if c == _V or c.lower() in _LATIN_CONSONANTS else "" for c in word).lower()


def _latin_skeleton(word: str) -> str:
    return _collapse(_latin_classes(word))


def _latin_word(word: str) -> tuple[str, bool]:
    """Key of one Latin word (lower case, no accents), and whether it carried the article."""
    had_article = False
    if word.startswith("l'") and len(word) > 2:
        word, had_article = word[2:], True
    if _LATIN_ABD.match(word):
        # "Abdelkader", "Abdul Qadir", "Abdellah": the article of the compound goes.
        word = "abd'" + _LATIN_ABD.sub("", word)
    elif match := _LATIN_BEN_ARTICLE.match(word):
        rest = word[match.end() :]
        if len(_latin_skeleton(rest)) >= 2:
            word = "bel" + rest  # "Benelarbi", "Benlahcen" = بن العربي, بن الحسن
    elif match := _LATIN_ARTICLE.match(word):
        rest = word[match.end() :]
        # "Elidrissi" drops its article, "Alami" (العلمي) and "Elias" keep their first letters.
        if len(_latin_skeleton(rest)) >= 2:
            word, had_article = rest, True
    elif _LATIN_L_BEFORE_CONSONANT.match(word):
        # "Lhaj", "Lbenj": an l before a consonant is the article.
        if len(_latin_skeleton(word[1:])) >= 2:
            word, had_article = word[1:], True
    elif _LATIN_L_ARTICLE.match(word):
        rest = word[1:]
        # "Lahcen" (الحسن), "Lamrani": the spoken article before a three-consonant name.
        if len(_latin_skeleton(rest)) >= 2:
            word, had_article = rest, True
    return _latin_skeleton(word.replace("'", _V)), had_article


# --- Words and units ----------------------------------------------------------------------------


def _latin_fold(text: str) -> str:
    text = text.lower().replace("ç", "s").translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[tuple[str, bool]]:
    """The words of a name, each with whether it is in Arabic script."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _ARABIC_MARKS.sub("", text)
    words: list[tuple[str, bool]] = []
    for match in _WORD.finditer(text):
        word = match.group()
        if _ARABIC_RANGE.search(word):
            words.append(("".join(c for c in word if _ARABIC_RANGE.match(c)), True))
        else:
            folded = _latin_fold(word)
            folded = "".join(c for c in folded if "a" <= c <= "z" or c == "'")
            if folded.strip("'"):
                words.append((folded.strip("'"), False))
    return words


def _is_article(word: str, arabic: bool, following: str | None) -> bool:
    if arabic:
        return word.translate(_ARABIC_FOLD) == "ال"
    if word in _LATIN_ARTICLES:
        return following is not None or word in {"el", "al", "l"}
    sound = _LATIN_SUN_ARTICLES.get(word)
    return sound is not None and following is not None and following.startswith(sound)


def _is_prefix(word: str, arabic: bool) -> bool:
    if arabic:
        return word.translate(_ARABIC_FOLD) in _ARABIC_PREFIXES
    return word in _LATIN_PREFIXES


def _units(text: str) -> list[list[tuple[str, bool]]]:
    """Group the words into units: an article or a prefix (Abd, Ben, Ait…) joins the next word."""
    words = _words(text)
    units: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    for index, (word, arabic) in enumerate(words):
        following = words[index + 1][0] if index + 1 < len(words) else None
        current.append((word, arabic))
        if following is not None and (
            _is_article(word, arabic, following) or _is_prefix(word, arabic)
        ):
            continue
        units.append(current)
        current = []
    if current:
        units.append(current)
    return units


def _unit_key(unit: list[tuple[str, bool]]) -> str:
    parts: list[str] = []
    article_before = False
    for index, (word, arabic) in enumerate(unit):
        following = unit[index + 1][0] if index + 1 < len(unit) else None
        if _is_article(word, arabic, following):
            article_before = True
            continue
        key, had_article = _arabic_word(word) if arabic else _latin_word(word)
        if parts and (article_before or had_article) and parts[-1] == "bn" and _is_ben(unit, index):
            parts[-1] = "bl"  # Ben + article is said and written "Bel": Belarbi = بن العربي
        parts.append(key)
        article_before = False
    # A name of vowels only ("Aya", آية) still is a name.
    return "".join(parts) or ("a" if len(unit) > 1 or not _is_article(*unit[0], None) else "")


def _is_ben(unit: list[tuple[str, bool]], index: int) -> bool:
    previous = index - 1
    while previous >= 0 and _is_article(unit[previous][0], unit[previous][1], "x"):
        previous -= 1
    if previous < 0:
        return False
    word, arabic = unit[previous]
    if arabic:
        return word.translate(_ARABIC_FOLD) in _ARABIC_BEN
    return word in _LATIN_BEN


# --- Public API -------------------------------------------------------------------------------


def name_tokens_key(text: str) -> list[str]:
    """Key of each unit of a name: "Alaoui Ismaili" gives two, "Abd El Kader" one.

    A unit is a word with its article and the compound words before it (Abd, Ben, Ibn, Ould,
    Ait, Abou, Bou, Ou), so that a double family name can agree on either of its names.
    Units without a key (a lone article, punctuation) are left out.
    """
    return [key for unit in _units(text) if (key := _unit_key(unit))]


@lru_cache(maxsize=200_000)  # names repeat: a registry of a million holds a few thousand
def name_key(text: str) -> str:
    """Canonical key of a name in Arabic or Latin script, its units joined without spaces.

    ``name_key("Abdelkader") == name_key("Abd El Kader") == name_key("عبد القادر")``;
    an empty string when the text holds no name (punctuation, digits, a lone article).
    A name made only of vowels ("Aya", آيه) gets the key ``"a"``.
    """
    return "".join(name_tokens_key(text))


def person_keys(first: str, last: str, first_ar: str = "", last_ar: str = "") -> tuple[str, str]:
    """(given_key, family_key) of a person, each from the Arabic spelling when it is filled.

    An Arabic spelling says more than a Latin one (it writes ع, ح/ه and the article the same way
    everywhere), so it is preferred; the Latin spelling serves when the Arabic one is empty or
    gives no key. Both scripts give the same key for nine names in ten anyway.
    """
    return (
        name_key(first_ar) or name_key(first),
        name_key(last_ar) or name_key(last),
    )


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions each cost one)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]
