"""Kernel-side half of the warm-kernel runner: remember a clean state, go back to it.

The batch runner imports this module in each kernel it keeps warm, calls
:func:`snapshot` once, and calls :func:`reset` between two notebooks. ``reset`` empties
the user namespace and output history (IPython's ``%reset -f``), numbers execution from
1 again, and restores what a notebook commonly changes in the process: the working
folder, environment variables, ``sys.path``, warning filters (and the "shown once"
memory of warnings), and the defaults of plotly and pandas. Imported modules stay
loaded: that is the point of a warm kernel.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from socialkit._compat import reset_shell

__all__ = ["reset", "snapshot"]

_saved: dict[str, Any] = {}


def snapshot() -> None:
    """Remember the kernel's state as the one :func:`reset` goes back to."""
    import plotly.io as pio

    _saved.update(
        cwd=os.getcwd(),
        environ=dict(os.environ),
        path=list(sys.path),
        filters=list(warnings.filters),
        renderer=pio.renderers.default,
        template=pio.templates.default,
    )


def reset() -> None:
    """Go back to the state of the last :func:`snapshot` (see the module docstring)."""
    import pandas as pd
    import plotly.io as pio
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        reset_shell(shell)  # without the full garbage collection IPython ends it with
        shell.execution_count = 1
    os.chdir(_saved["cwd"])
    os.environ.clear()
    os.environ.update(_saved["environ"])
    sys.path[:] = _saved["path"]
    warnings.resetwarnings()  # also forgets which warnings were already shown
    warnings.filters[:] = _saved["filters"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.reset_option(r"^(display|styler)\.")
    if pio.renderers.default != _saved["renderer"]:
        pio.renderers.default = _saved["renderer"]
    if pio.templates.default != _saved["template"]:  # setting it rebuilds the template
        pio.templates.default = _saved["template"]
    display = sys.modules.get("socialkit.reports.display")
    if display is not None:
        display.reset()
