"""User text made safe for where it is shown: a plotly figure, a terminal, a JSON line.

Three places read some characters of a string as instructions rather than as text:

* **plotly** renders a small HTML subset in every piece of text it draws (titles, tick
  labels, hover labels, legend names, annotations, table cells, marker text): ``<b>``,
  ``<i>``, ``<a href>``, ``<span style>``, ``<br>``..., and typesets ``$...$`` as LaTeX
  where MathJax is loaded (JupyterLab). :func:`chart_text` escapes ``&``, ``<``, ``>``
  and ``$`` as HTML entities. plotly.js (``svg_text_utils``) first splits a string at its
  tags, then decodes the entities of each piece of text once (``&amp;``, ``&lt;``,
  ``&gt;``, numeric ones...) into a text node, and it looks for LaTeX before decoding:
  so the reader sees exactly the original text, ``&amp;`` as ``&amp;`` included.
* **a terminal** runs control characters: ``ESC [ 2 J`` clears the screen,
  ``ESC ] 0 ; ... BEL`` sets the window title, a carriage return overwrites a line, a
  right-to-left override (U+202E) shows text in another order than it is. The
  :func:`terminal_safe` form shows each of them as a visible escape.
* **a JSON document** printed on a terminal: an encoder escapes C0 controls but may leave
  DEL, C1 controls and the other characters above raw. :func:`json_safe` writes those as
  ``\\uXXXX``, which a JSON reader decodes back to the same value.

What is escaped on a terminal, and why: every C0 control but the line feed (``\\t`` and
``\\r`` too: a tab or a carriage return inside a value would move the text after it),
DEL, every C1 control (U+0080-U+009F; U+009B is a one-character CSI), the Unicode line
and paragraph separators, lone surrogates (a file name Python could not decode), and the
invisible format characters (Unicode category Cf: bidirectional overrides, embeddings
and isolates, zero-width spaces and marks, the byte-order mark, the soft hyphen, tag
characters), except the zero-width joiner and non-joiner, which emoji sequences and
several scripts need to be written. A backslash is not escaped, so paths read as they
are.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not imported: the command line starts without pandas
    import pandas as pd

__all__ = [
    "chart_text",
    "chart_texts",
    "json_safe",
    "json_unsafe",
    "stream_safe",
    "terminal_safe",
]


# --------------------------------------------------------------------------- plotly
_CHART_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}
_CHART_TABLE = str.maketrans(_CHART_ESCAPES)
_CHART_SPECIAL = re.compile("[&<>$]")
#: Up to this many values, :func:`chart_texts` escapes them one by one.
_FEW = 500


def chart_text(value: object) -> str:
    """Text for a plotly figure, shown as written: plotly's markup characters escaped.

    Parameters
    ----------
    value : object
        Shown through ``str()``; ``&``, ``<``, ``>`` and ``$`` become ``&amp;``,
        ``&lt;``, ``&gt;`` and ``&#36;``, which plotly.js decodes back for display.

    Returns
    -------
    str
        The text to put in a figure field, next to socialkit's own markup (``<br>``...).
    """
    text = value if isinstance(value, str) else str(value)
    return text.translate(_CHART_TABLE) if _CHART_SPECIAL.search(text) else text


def chart_texts(values: pd.Series) -> pd.Series:
    """:func:`chart_text` of every value of a series of text; missing values stay missing.

    Parameters
    ----------
    values : pandas.Series
        Text (``str`` dtype or object holding ``str``).

    Returns
    -------
    pandas.Series
        The escaped text, same index and dtype.
    """
    from pandas import Series, StringDtype, array  # loaded already: values is a Series

    if len(values) <= _FEW and isinstance(values.dtype, StringDtype):
        # a chart's few values: a plain loop costs less than the four replacements
        escaped = [chart_text(v) if isinstance(v, str) else v for v in values.tolist()]
        return Series(array(escaped, dtype=values.dtype), index=values.index, name=values.name)
    out = values
    for char, entity in _CHART_ESCAPES.items():  # "&" first: the entities hold one
        out = out.str.replace(char, entity, regex=False)
    return out


# --------------------------------------------------------------------------- terminal
# Cc but the line feed, Cf but ZWNJ and ZWJ (U+200C, U+200D), Zl, Zp and Cs, as listed by
# Unicode 14 (a test compares with the unicodedata module of the running Python), with the
# whole of the blocks U+2060-U+206F, U+13430-U+1343F and U+E0000-U+E007F, where later
# versions add format characters.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b\u200e\u200f"
    "\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001-\U000e007f"
)
_UNSAFE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_FORMAT}\ud800-\udfff]")
_JSON_UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_FORMAT}\ud800-\udfff]")
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _suspects(text: str, keep: bytes) -> str:
    """The characters of ``text`` that are neither printable ASCII nor in ``keep``.

    Cheap on long text (a regular expression over megabytes of JSON costs a second):
    deleting ASCII bytes from the UTF-8 form leaves whole multi-byte characters.
    """
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the slower way
        encoded = text.encode("utf-8", "surrogatepass")
    return encoded.translate(None, _PRINTABLE_ASCII + keep).decode("utf-8", "surrogatepass")


_NAMED = {"\t": "\\t", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def terminal_safe(text: object) -> str:
    """Text for a terminal: every control or invisible format character as an escape.

    Parameters
    ----------
    text : object
        Shown through ``str()``. Line feeds are kept (they separate the lines of a
        message); see the module's description for what is escaped.

    Returns
    -------
    str
        The text with each such character written as Python writes it in a string
        literal: ``\\x1b``, ``\\t``, ``\\r``, ``\\x9b``, ``\\u202e``, ``\\U000e0041``.
    """
    text = text if isinstance(text, str) else str(text)
    return _UNSAFE.sub(_visible, text) if _UNSAFE.search(_suspects(text, b"\n")) else text


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON spells characters past the BMP
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_safe(document: str) -> str:
    """A JSON document with the characters :func:`terminal_safe` escapes written as
    ``\\uXXXX``: the same JSON value, safe to print.

    Such characters can only stand inside a JSON string, where ``\\uXXXX`` means the
    same character; tab, line feed and carriage return are left alone (outside a string
    they are whitespace, and an encoder already escapes them inside one).

    Parameters
    ----------
    document : str
        Valid JSON text.

    Returns
    -------
    str
    """
    if _JSON_UNSAFE.search(_suspects(document, b"\t\n\r")):
        return _JSON_UNSAFE.sub(_json_escape, document)
    return document


def json_unsafe(data: bytes) -> bool:
    """Whether :func:`json_safe` would change the document ``data`` is the UTF-8 form of.

    For a document already encoded, to print: the test runs on its bytes, without
    encoding the text once more.

    Parameters
    ----------
    data : bytes
        A JSON document in UTF-8.

    Returns
    -------
    bool
    """
    suspects = data.translate(None, _PRINTABLE_ASCII + b"\t\n\r").decode("utf-8")
    return _JSON_UNSAFE.search(suspects) is not None


def stream_safe(text: str, stream: object = None) -> str:
    """``text`` with the characters that ``stream``'s encoding cannot write as escapes.

    Parameters
    ----------
    text : str
    stream : file object, optional
        Where the text goes (its ``encoding`` is used); standard output when omitted.

    Returns
    -------
    str
        ``text`` itself when the encoding can write all of it, else the text with
        backslash escapes (``\\xe9``, ``\\u2014``) for what it cannot.
    """
    encoding = getattr(stream or sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return text.encode(encoding, "backslashreplace").decode(encoding, "replace")
    return text
