"""Making text from outside (stores, import files, file names, the command line) safe to show
in a terminal. Every message and every human view goes through `visible()`.

A character is shown as an escape (`\\x1b`, `\\u202e`, `\\U000e0041`) when a terminal could act
on it or would draw it as nothing, decided by Unicode category, not by a hand-made list:

- Cc (C0 and C1 controls, DEL: ESC starts OSC 52 clipboard writes, title changes, CSI 2J...),
  Cf (format: bidi embeddings, overrides and isolates, zero-width characters, soft hyphen, tag
  characters, interlinear annotations), Co (private use), Cs (lone surrogates, which is how
  Python holds bytes of a command line that are not UTF-8), Zl and Zp (line and paragraph
  separators);
- Default_Ignorable_Code_Point, a derived property that `unicodedata` does not offer, so its
  ranges are below. They add the letters and marks that draw as nothing (U+3164 HANGUL FILLER,
  U+034F COMBINING GRAPHEME JOINER, variation selectors) to the Cf characters.

Ordinary letters of every script, punctuation, emoji and spaces are kept as they are. A
backslash is not escaped: `C:\\x1b` in a title reads the same as an escaped ESC, but a view
stays readable, and what is shown is never acted upon.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})

# Default_Ignorable_Code_Point from the Unicode Character Database, DerivedCoreProperties.txt
# (identical in Unicode 14.0, 15.0, 15.1 and 16.0; adjacent ranges merged). The standard derives
# it as Other_Default_Ignorable_Code_Point + Cf + Variation_Selector - White_Space - FFF9..FFFB
# - 13430..1343F - Prepended_Concatenation_Mark; the Cf part is also caught by category above,
# and FFF9..FFFB, 13430.. and the prepended marks are Cf too, so every format character is
# escaped. What only this table adds: U+034F, U+115F-1160, U+17B4-17B5, the Mongolian and
# standard variation selectors, U+2065, U+3164, U+FFA0, U+FFF0-FFF8 and the reserved
# U+E0000-E0FFF block around the tag characters.
DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),  # SOFT HYPHEN
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x061C, 0x061C),  # ARABIC LETTER MARK
    (0x115F, 0x1160),  # HANGUL CHOSEONG FILLER..HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ..KHMER VOWEL INHERENT AA
    (0x180B, 0x180F),  # MONGOLIAN FREE VARIATION SELECTORS, MONGOLIAN VOWEL SEPARATOR
    (0x200B, 0x200F),  # ZERO WIDTH SPACE..RIGHT-TO-LEFT MARK
    (0x202A, 0x202E),  # LEFT-TO-RIGHT EMBEDDING..RIGHT-TO-LEFT OVERRIDE
    (0x2060, 0x206F),  # WORD JOINER..NOMINAL DIGIT SHAPES (isolates; U+2065 reserved)
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTOR-1..VARIATION SELECTOR-16
    (0xFEFF, 0xFEFF),  # ZERO WIDTH NO-BREAK SPACE (byte order mark)
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # reserved
    (0x1BCA0, 0x1BCA3),  # SHORTHAND FORMAT LETTER OVERLAP..SHORTHAND FORMAT UP STEP
    (0x1D173, 0x1D17A),  # MUSICAL SYMBOL BEGIN BEAM..MUSICAL SYMBOL END PHRASE
    (0xE0000, 0xE0FFF),  # LANGUAGE TAG, TAG SPACE..CANCEL TAG, VARIATION SELECTOR-17..256
)

_IGNORABLE = re.compile(
    "[" + "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in DEFAULT_IGNORABLE) + "]"
)
# Anything but printable ASCII is looked at one character at a time.
_CANDIDATE = re.compile(r"[^\x20-\x7e]")
_decided: dict[str, str] = {}


def is_unsafe(char: str) -> bool:
    """Whether a terminal could act on `char` or would draw it as nothing."""
    return unicodedata.category(char) in _UNSAFE_CATEGORIES or bool(_IGNORABLE.match(char))


def escape(char: str) -> str:
    """`char` as a Python-style escape: `\\x1b`, `\\u202e`, `\\U000e0041`."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    try:
        return _decided[char]
    except KeyError:
        shown = _decided[char] = escape(char) if is_unsafe(char) else char
        return shown


def _is_plain(text: str) -> bool:
    # str.isprintable() is False for Cc, Cf, Cs, Co, Zl, Zp (and Cn, Zs); what it lets through
    # of ours are the default-ignorable letters and marks.
    return text.isprintable() and (text.isascii() or not _IGNORABLE.search(text))


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every character a terminal could act on, or would not show, as an escape.

    Newlines are escaped too (a message stays one line) unless `keep_newlines`.
    """
    if _is_plain(text):
        return text
    if keep_newlines:
        return "\n".join(_CANDIDATE.sub(_shown, line) for line in text.split("\n"))
    return _CANDIDATE.sub(_shown, text)


def joined(items: Iterable[str]) -> str:
    """Names shown in one line: each made visible, joined with ", "."""
    return ", ".join(visible(i) for i in items)


_json_decided: dict[str, str] = {}


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    try:
        return _json_decided[char]
    except KeyError:
        pass
    code = ord(char)
    if char == "\n" or not is_unsafe(char):
        shown = char
    elif code < 0x10000:
        shown = f"\\u{code:04x}"
    else:  # a surrogate pair, as JSON writes characters beyond the BMP
        code -= 0x10000
        shown = f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    _json_decided[char] = shown
    return shown


def json_visible(text: str) -> str:
    """JSON text (as `json.dumps(..., ensure_ascii=False)` writes it) with the characters that
    `visible()` escapes written as `\\u` escapes: the same JSON values, safe on a terminal.

    Only JSON strings can hold such characters (json.dumps already escapes C0 controls in them);
    the newlines of indentation are kept.
    """
    if text.isascii() and "\x7f" not in text:
        return text
    return _CANDIDATE.sub(_json_escape, text)
