"""Starting JupyterLab on socialkit's notebooks: what ``socialkit lab`` runs.

The command only has to say which notebooks and how: the folder of the tour, the design
editor and the report notebooks (``notebooks/`` of a source checkout, or the copy an
installed package carries), and, when it runs as root, as in a container, the flag
without which Jupyter refuses to start there.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from socialkit.contract.io import notebook_path

__all__ = ["LAB_EXTRA", "lab_arguments", "lab_missing", "notebooks_folder", "running_as_root"]

#: The optional dependency group that brings JupyterLab.
LAB_EXTRA = "lab"


def notebooks_folder() -> Path:
    """The folder of the notebooks socialkit ships (the tour, the editor, the reports)."""
    return notebook_path("tour").parent


def running_as_root() -> bool:
    """Whether this process runs as the superuser (never on systems without users ids)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_missing() -> str | None:
    """What to install when JupyterLab cannot be imported, or None when it can."""
    if importlib.util.find_spec("jupyterlab") is not None:
        return None
    return (
        "JupyterLab is not installed in this environment; install socialkit with its "
        f"{LAB_EXTRA!r} extra: pip install -e '.[{LAB_EXTRA}]' in a source checkout, "
        f"or pip install 'socialkit[{LAB_EXTRA}]'"
    )


def lab_arguments(
    *, extra: Sequence[str] = (), as_root: bool | None = None, python: str | None = None
) -> list[str]:
    """The command line that starts JupyterLab on :func:`notebooks_folder`.

    Parameters
    ----------
    extra : sequence of str, default ()
        More arguments for JupyterLab (``--port 9999``, ``--no-browser`` ...), after ours,
        so that they win.
    as_root : bool, optional
        Add ``--allow-root``; by default when :func:`running_as_root`. Jupyter refuses to
        run as root without it, which is how containers often run.
    python : str, optional
        The interpreter to run JupyterLab with; by default this one, so that the
        notebooks' kernel sees the same installation of socialkit.

    Returns
    -------
    list of str
        The program and its arguments, for :func:`os.execv` or :mod:`subprocess`.
    """
    root = running_as_root() if as_root is None else as_root
    return [
        python or sys.executable,
        "-m",
        "jupyterlab",
        str(notebooks_folder()),
        *(["--allow-root"] if root else []),
        *extra,
    ]
