"""Executed report notebooks → offline HTML pages in an output folder.

Layout of an output folder (``reports/`` by default)::

    index.html              the portfolio overview
    plotly.min.js           plotly.js, stored once and shared by every page
    courses/<slug>.html     one design report per course
    failed/<slug>.ipynb     the executed notebook of a course whose report failed
    .socialkit/             run state (what was made from which inputs)

Pages load nothing from outside the folder. A course id becomes a file name only
through :func:`course_slug`, and every path is checked to stay inside the folder, also
through links: a folder in it that is a symbolic link is refused, and a page that is a link
is replaced by a file, never written through.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

import nbformat

from socialkit.base.files import atomic
from socialkit.errors import ReportWriteError

__all__ = [
    "PLOTLYJS_METADATA",
    "PLOTLY_JS",
    "course_href",
    "course_slug",
    "inside",
    "is_plotlyjs_output",
    "notebook_body",
    "page",
    "remove_file",
    "write_failure",
    "write_plotly_js",
    "write_text",
]

#: File name of the shared plotly.js in an output folder.
PLOTLY_JS = "plotly.min.js"

_SAFE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


def course_slug(course_id: str) -> str:
    """File-name stem for a course's report.

    Parameters
    ----------
    course_id : str

    Returns
    -------
    str
        The id itself when it is lower-case letters, digits, ``-`` and ``_`` (and not a
        name Windows reserves); otherwise a cleaned, lower-cased form followed by ``-``
        and 8 hex digits of the id's SHA-1, so that ids differing only in case or in
        dropped characters never share a file. Never contains ``/``, ``\\`` or ``..``.
    """
    if _SAFE.fullmatch(course_id) and course_id not in _RESERVED:
        return course_id
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", course_id.lower()).strip("-_")[:48] or "course"
    digest = hashlib.sha1(course_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned}-{digest}"


def course_href(course_id: str) -> str:
    """Link from ``index.html`` to a course's report: ``courses/<slug>.html``."""
    return f"courses/{course_slug(course_id)}.html"


def inside(root: str | os.PathLike[str], relative: str) -> Path:
    """Join ``relative`` to ``root`` and check the result stays inside ``root``.

    The last part is not resolved: a link there is replaced when written, not followed.

    Raises
    ------
    ReportWriteError
        If the joined path would leave ``root``, or a folder between ``root`` and it is a
        symbolic link (what is written there could land anywhere).
    """
    base = Path(root).resolve()
    target = Path(os.path.normpath(base / relative))
    if target == base or base not in target.parents:
        raise ReportWriteError(f"path {relative!r} leaves the output folder {str(base)!r}")
    for folder in target.relative_to(base).parents:
        if folder != Path(".") and (base / folder).is_symlink():
            raise ReportWriteError(
                f"{str(base / folder)!r} is a symbolic link; socialkit writes only inside the "
                f"output folder {str(base)!r}: expected a plain folder there"
            )
    return target


#: Metadata of the output that carries plotly.js (the report pages leave it out).
PLOTLYJS_METADATA = {"socialkit": {"plotlyjs": True}}


def is_plotlyjs_output(output: dict) -> bool:
    """Whether a notebook output is the plotly.js that :func:`socialkit.display.setup` puts out.

    Parameters
    ----------
    output : dict
        One output of a notebook cell, as nbformat stores it.
    """
    return bool(output.get("metadata", {}).get("socialkit", {}).get("plotlyjs"))


@cache
def _exporter():  # building the exporter loads templates: once per process
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class _Exporter(HTMLExporter):
        """nbconvert's HTML export without its final BeautifulSoup pass.

        That pass adds alt text to images that lack it and tab stops to JupyterLab
        cell classes; the ``basic`` template has no such classes, and re-parsing every
        page cost more than the rest of the export.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            lang = nb.metadata.get("language_info", {})
            lexer = lang.get("pygments_lexer", lang.get("name"))
            self.register_filter(
                "highlight_code",
                self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                ),
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    from nbconvert.filters import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    return _Exporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,
    )


def notebook_body(nb: nbformat.NotebookNode) -> str:
    """HTML of an executed notebook's markdown and outputs, without any code.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook. Widget state in its metadata is ignored (it would make
        nbconvert load scripts from the web).

    Returns
    -------
    str
        nbconvert's ``basic`` template (a fragment, no ``<head>``), inputs and prompts
        excluded.
    """
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:  # the page loads the shared plotly.min.js instead
        if cell.get("outputs"):
            cell.outputs = [out for out in cell.outputs if not is_plotlyjs_output(out)]
    body, _ = _exporter().from_notebook_node(nb)
    return body


@cache
def _css() -> str:
    return files("socialkit.reports").joinpath("report.css").read_text(encoding="utf-8")


def page(body: str, *, title: str, root: str = "") -> str:
    """A complete, offline HTML page around a notebook body.

    Parameters
    ----------
    body : str
        HTML from :func:`notebook_body` (trusted: the notebook escapes user text).
    title : str
        Page title; escaped here.
    root : str, default ""
        Relative path from the page to the output folder (``"../"`` for a course
        report): where ``plotly.min.js`` and ``index.html`` are.

    Returns
    -------
    str
        The page: the report stylesheet inline, plotly.js from ``root + PLOTLY_JS``, and,
        below a course report, a link back to the overview.
    """
    nav = (
        f'<nav class="sk-nav"><a href="{html.escape(root)}index.html">'
        "&larr; All courses</a></nav>\n"
        if root
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="socialkit">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_css()}</style>\n"
        f'<script src="{html.escape(root + PLOTLY_JS)}"></script>\n'
        f'</head>\n<body>\n{nav}<main class="sk-report">\n{body}</main>\n</body>\n</html>\n'
    )


def write_failure(path: Path, exc: OSError, *, doing: str = "write") -> ReportWriteError:
    """One line that names ``path`` and why it cannot be written (a full disk, a read-only
    file system, a file where a folder must be...)."""
    path = Path(path)
    for folder in path.parents:
        if folder.exists() or folder.is_symlink():
            if not folder.is_dir():
                cause = f"{str(folder)!r} is a file, expected a folder"
                return ReportWriteError(f"cannot {doing} {str(path)!r}: {cause}")
            break
    cause = exc.strerror or str(exc) or type(exc).__name__
    return ReportWriteError(f"cannot {doing} {str(path)!r}: {cause}")


def write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 through a temporary file renamed over ``path``.

    Raises
    ------
    ReportWriteError
        If it cannot be written; ``path`` is then as it was, and no temporary file is left.
    """
    try:
        with atomic(path, follow_links=False) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise write_failure(path, exc) from None


def remove_file(path: Path) -> None:
    """Remove the file (or link) ``path`` if there is one.

    Raises
    ------
    ReportWriteError
        If it is there and cannot be removed.
    """
    try:
        Path(path).unlink(missing_ok=True)
    except IsADirectoryError:  # not socialkit's: leave it
        pass
    except OSError as exc:
        raise write_failure(path, exc, doing="remove") from None


def write_plotly_js(folder: Path) -> Path:
    """Store plotly.js once in ``folder`` (rewritten only when the bundled one differs)."""
    from plotly.offline import get_plotlyjs

    dest = folder / PLOTLY_JS
    js = get_plotlyjs()
    try:  # only a plain file is read (a named pipe there would block)
        same = dest.is_file() and dest.read_text(encoding="utf-8") == js
    except (OSError, UnicodeDecodeError):
        same = False
    if not same:
        write_text(dest, js)
    return dest
