"""What the commands print: text for a person and JSON for a program, made safe.

Every line a command prints goes through :func:`echo` or :func:`echo_json`: user data on a
terminal can neither run control sequences nor fail on a stream's encoding.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

import click

from socialkit.base.text import json_safe, json_unsafe, stream_safe, terminal_safe

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "SLOW_READ_BYTES",
    "echo",
    "echo_json",
    "fail",
    "is_big",
    "say_reading",
]

#: The exit statuses of every command.
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130
#: Source files from this size on take a second or more to read and check: a command
#: says it is at it.
SLOW_READ_BYTES = 5_000_000


def echo(message: object, *, err: bool = False) -> None:
    """Print a line (or lines) of text for a person: what user data brings is made safe.

    Every line the commands print goes through here: control characters, ANSI and OSC
    sequences and invisible format characters (see :func:`socialkit.base.text.terminal_safe`)
    are shown as visible escapes such as ``\\x1b``, so a course title cannot clear the
    screen or retitle the window; line feeds are kept. What the stream's encoding cannot
    write is shown as backslash escapes too, instead of failing.

    Parameters
    ----------
    message : object
        The text (through ``str()``).
    err : bool, default False
        Print on standard error instead of standard output.
    """
    click.echo(stream_safe(terminal_safe(message), sys.stderr if err else sys.stdout), err=err)


def echo_json(document: str | bytes) -> None:
    """Print a JSON document as it is, but for characters a terminal would run.

    Those (C1 controls, DEL, bidirectional overrides...; JSON encoders escape only C0)
    are written as ``\\uXXXX`` (see :func:`socialkit.base.text.json_safe`): the document reads
    back to the same value.

    Parameters
    ----------
    document : str or bytes
        The document, or its UTF-8 form (megabytes of it are then looked at and
        written as they are, never decoded).
    """
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and _is_utf8(getattr(stream, "encoding", None)):
        # megabytes of JSON: encoded once, where click would check and encode it again
        if isinstance(document, bytes):  # UTF-8 already: only what needs an escape
            data = document if not json_unsafe(document) else _utf8_json(document.decode())
        else:
            data = _utf8_json(document)
        if data is not None:
            stream.flush()
            buffer.write(data)
            buffer.write(b"\n")
            buffer.flush()
            return
    if isinstance(document, bytes):
        document = document.decode("utf-8")
    click.echo(stream_safe(json_safe(document), stream))


def _utf8_json(document: str) -> bytes | None:
    """``json_safe(document)`` in UTF-8 (None if it cannot be encoded): the document is
    encoded once, and looked at in that form, when nothing in it needs an escape."""
    try:
        data = document.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which json_safe escapes
        pass
    else:
        if not json_unsafe(data):
            return data
    try:
        return json_safe(document).encode("utf-8")
    except UnicodeEncodeError:
        return None


def _is_utf8(encoding: str | None) -> bool:
    try:
        return encoding is not None and codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def fail(message: str, code: int) -> None:
    """Print ``error: message`` on standard error and exit with ``code``."""
    echo(f"error: {message}", err=True)
    sys.exit(code)


def is_big(src: Path | None) -> bool:
    """Whether the portfolio at ``src`` takes a second or more to read and check."""
    from socialkit.contract.layout import portfolio_files

    if src is None or not src.exists():
        return False  # the bundled sample, or nothing: the error comes at once
    return sum(f.stat().st_size for f in portfolio_files(src) if f.is_file()) >= SLOW_READ_BYTES


def say_reading(src: Path, *, check: bool) -> None:
    """One line on standard error while a big portfolio is read (and checked)."""
    if is_big(src):
        echo(f"reading {'and checking ' if check else ''}{src} ...", err=True)
