"""Text clean-up shared by every layout era.

The record promises text "as printed, white space collapsed": the site pads
headings with newlines and indentation, and uses non-breaking spaces (and the
odd ideographic or thin space) where a plain space is meant. `str.split()`
treats all of those as white space, so one join does the whole job and keeps
the rule identical for every field.
"""

from __future__ import annotations

import re

#: characters lxml would turn into U+FFFD anyway; removed early so "binary?" is decided on what is left
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def collapse(text: str | None) -> str:
    """Runs of any white space (nbsp included) become one space; ends are trimmed."""
    if not text:
        return ""
    return " ".join(text.split())


def or_none(text: str | None) -> str | None:
    """Empty after collapsing means absent: the record uses null, never ""."""
    value = collapse(text)
    return value or None


def strip_label_colon(text: str) -> str:
    """"DIVISIVE:" -> "DIVISIVE"; the site prints half- or full-width colons after kickers."""
    return collapse(text).rstrip(":：").rstrip()


def clean_markup(text: str) -> str:
    """Text safe for libxml2: no lone surrogates, no C0 controls other than tab/newline/CR/form feed."""
    text = _SURROGATE.sub("\ufffd", text)
    return _CONTROL.sub("", text)


def looks_binary(text: str) -> bool:
    """Decoded data full of replacement characters or control codes is not an HTML page.

    Judged on the first 4 KB, as `file(1)` does: a page with one bad byte deep
    inside is still a page; a PNG, a gzip stream or UTF-16 text read as UTF-8 is not.
    Call it before `clean_markup`, which removes the evidence.
    """
    head = text[:4096]
    if not head:
        return False
    if "\x00" in head:
        return True
    bad = head.count("\ufffd") + len(_CONTROL.findall(head))
    return bad * 10 > len(head)
