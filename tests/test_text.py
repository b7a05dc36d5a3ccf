"""text.visible: what a terminal could act on or would not show becomes an escape, by Unicode
category and the Default_Ignorable_Code_Point property."""

import json
import unicodedata

import pytest

from reetimeline.text import DEFAULT_IGNORABLE, is_unsafe, json_visible, visible

# The characters issue 13 found passing raw, each with the escape it must become.
INVISIBLE = {
    "\u00ad": "\\xad",  # SOFT HYPHEN (Cf)
    "\u180e": "\\u180e",  # MONGOLIAN VOWEL SEPARATOR (Cf)
    "\u3164": "\\u3164",  # HANGUL FILLER (Lo, default-ignorable)
    "\u115f": "\\u115f",  # HANGUL CHOSEONG FILLER (Lo, default-ignorable)
    "\U000e0000": "\\U000e0000",  # reserved, default-ignorable
    "\U000e0001": "\\U000e0001",  # LANGUAGE TAG
    "\U000e0041": "\\U000e0041",  # TAG LATIN CAPITAL LETTER A
    "\U000e007f": "\\U000e007f",  # CANCEL TAG
    "\ufe00": "\\ufe00",  # VARIATION SELECTOR-1 (Mn, default-ignorable)
    "\ufe0f": "\\ufe0f",  # VARIATION SELECTOR-16
    "\U000e0100": "\\U000e0100",  # VARIATION SELECTOR-17
    "\u180b": "\\u180b",  # MONGOLIAN FREE VARIATION SELECTOR ONE
    "\ufff9": "\\ufff9",  # INTERLINEAR ANNOTATION ANCHOR (Cf, not default-ignorable)
    "\ufffa": "\\ufffa",
    "\ufffb": "\\ufffb",
    "\u034f": "\\u034f",  # COMBINING GRAPHEME JOINER (Mn, default-ignorable)
    "\U0001bca0": "\\U0001bca0",  # SHORTHAND FORMAT LETTER OVERLAP
    "\U0001d173": "\\U0001d173",  # MUSICAL SYMBOL BEGIN BEAM
}
CONTROLS = {
    "\x1b": "\\x1b",  # ESC
    "\x07": "\\x07",  # BEL
    "\x00": "\\x00",
    "\t": "\\x09",
    "\r": "\\x0d",
    "\x7f": "\\x7f",  # DEL
    "\x85": "\\x85",  # NEL (C1)
    "\x9b": "\\x9b",  # CSI (C1)
    "\x9d": "\\x9d",  # OSC (C1)
    "\u2028": "\\u2028",  # LINE SEPARATOR (Zl)
    "\u2029": "\\u2029",  # PARAGRAPH SEPARATOR (Zp)
    "\ue000": "\\ue000",  # private use (Co)
    "\udce9": "\\udce9",  # a lone surrogate: byte 0xe9 of a command line that is not UTF-8
}
BIDI = {c: f"\\u{ord(c):04x}" for c in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
        "\u2066\u2067\u2068\u2069"}  # fmt: skip
ZERO_WIDTH = {c: f"\\u{ord(c):04x}" for c in "\u200b\u200c\u200d\u2060\ufeff"}


@pytest.mark.parametrize(
    ("char", "shown"),
    [*INVISIBLE.items(), *CONTROLS.items(), *BIDI.items(), *ZERO_WIDTH.items()],
    ids=lambda v: f"U+{ord(v):04X}" if len(v) == 1 else None,
)
def test_each_unsafe_character_becomes_its_escape(char, shown):
    assert visible(f"a{char}b") == f"a{shown}b"
    assert is_unsafe(char)


def test_terminal_escape_sequences_are_shown_not_run():
    osc52 = "\x1b]52;c;SGVsbG8=\x07"
    assert visible(f"x{osc52}y") == "x\\x1b]52;c;SGVsbG8=\\x07y"
    assert visible("\x1b]0;pwned\x07\x1b[2J") == "\\x1b]0;pwned\\x07\\x1b[2J"


def test_ordinary_text_of_every_script_is_kept():
    texts = ("Dysprosium", "Évian, Réunion", "диспрозий", "镝 ジスプロシウム", "한국어", "עברית",
             "العربية", "¥100 € ½ — “quotes”", "emoji 🪨", "a\u00a0b")  # fmt: skip
    for text in texts:
        assert visible(text) == text, text


def test_newlines_are_escaped_unless_kept():
    assert visible("one\ntwo") == "one\\x0atwo"
    assert visible("one\ntwo\x1b", keep_newlines=True) == "one\ntwo\\x1b"


def test_visible_is_idempotent_and_each_message_stays_one_line():
    text = "".join([*INVISIBLE, *CONTROLS, *BIDI, "\n"])
    once = visible(text)
    assert visible(once) == once
    assert once.isascii() and once.isprintable()


def test_the_default_ignorable_table_is_the_derived_property():
    """Default_Ignorable_Code_Point = Other_Default_Ignorable_Code_Point + Cf + Variation_Selector
    - White_Space - FFF9..FFFB - 13430..1343F - Prepended_Concatenation_Mark. The table holds
    exactly: format characters, variation selectors, and the few other-default-ignorable letters,
    marks and reserved code points."""
    others = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0}  # Lo/Mn, not Cf
    inside = {cp for start, end in DEFAULT_IGNORABLE for cp in range(start, end + 1)}
    for cp in inside:
        char = chr(cp)
        name = unicodedata.name(char, "")
        category = unicodedata.category(char)
        assert category in ("Cf", "Cn") or "VARIATION SELECTOR" in name or cp in others, hex(cp)
    # every variation selector is inside, and no prepended concatenation mark or white space
    names = {cp: unicodedata.name(chr(cp), "") for cp in range(0x110000)}
    selectors = {cp for cp, name in names.items() if "VARIATION SELECTOR" in name}
    assert selectors <= inside
    assert not {0x0600, 0x06DD, 0x070F, 0x110BD, 0xFFF9, 0xFFFA, 0xFFFB, 0x20, 0x3000} & inside
    # every format character is escaped whether or not it is default-ignorable
    formats = [chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Cf"]
    assert all(visible(c) != c for c in formats)


def test_json_keeps_the_values_and_is_safe_on_a_terminal():
    values = ["".join([*INVISIBLE, *CONTROLS, *BIDI, "\n"]), "Évian 镝 🪨"]
    text = json.dumps(values, ensure_ascii=False, indent=2)
    shown = json_visible(text)
    assert json.loads(shown) == values
    assert not any(is_unsafe(c) for c in shown if c != "\n")
    assert "Évian 镝 🪨" in shown
    assert json_visible('["plain"]') == '["plain"]'
