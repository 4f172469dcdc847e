"""Every use socialkit makes of another library's private or unstable API, in one place.

Each function or constant here stands for one thing socialkit relies on that the
library does not promise to keep: an underscored name, an attribute set from outside,
a method overridden, or the wording of a message. Its docstring says what it relies
on and the version it was checked with; ``tests/test_compat.py`` exercises each one
against the installed library and fails, naming the library and its version, when an
upgrade changes it. A new use of a library's internals goes here, with its test.

Nothing heavy is imported here at import time (no plotly, nbclient, papermill or
distributed): ``socialkit check`` imports this module through the readers and must
stay fast. Each function imports what it needs.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "OPENPYXL_DROPS",
    "SCHEDULER_LOST",
    "borrowed_kernel_client",
    "drops_on_save",
    "figure_dicts",
    "forget_client",
    "load_notebook_node",
    "lost_its_scheduler",
    "parameterize_notebook",
    "reset_shell",
    "row_of_unclosed_quote",
    "stored_cells",
    "unvalidated_figure",
    "validate_from_now",
    "wrong_width",
]


# --------------------------------------------------------------------------- plotly
def unvalidated_figure(data: list[dict], layout: dict) -> go.Figure:
    """A plotly figure of trace and layout dicts taken as they are, without validation.

    Relies on the private keyword ``_validate`` of ``plotly.graph_objects.Figure``
    (``BaseFigure.__init__``), which skips validating and copying what it is given;
    checked with plotly 7.1. Validation stays off for later changes until
    :func:`validate_from_now`.
    """
    import plotly.graph_objects as go

    return go.Figure(data, layout=layout, _validate=False)


def validate_from_now(fig: go.Figure) -> None:
    """Switch plotly's validation back on for later changes of ``fig``.

    Relies on the private attribute ``_validate`` of plotly's figures and of each of
    their objects (``BaseFigure`` and ``BasePlotlyType``), which
    ``Figure(..., _validate=False)`` leaves False on the figure, its layout and every
    trace; checked with plotly 7.1.
    """
    fig._validate = fig.layout._validate = True
    for trace in fig.data:
        trace._validate = True


def figure_dicts(fig: go.Figure) -> tuple[list[dict], dict]:
    """The figure's own trace dicts and layout dict, not copied.

    Relies on the private attributes ``_data`` and ``_layout`` of plotly's
    ``BaseFigure``, which hold what ``fig.to_dict()`` returns deep copies of; checked
    with plotly 7.1. The caller must not change them.
    """
    return fig._data, fig._layout


# --------------------------------------------------------------------------- papermill
def parameterize_notebook(
    nb: Any, parameters: dict[str, object], *, kernel_name: str | None, language: str | None
) -> Any:
    """papermill's injection of ``parameters`` into ``nb`` (changed in place, returned).

    Relies on ``papermill.parameterize.parameterize_notebook`` and its keywords
    ``report_mode``, ``kernel_name`` and ``language``: a public name of a submodule, but
    not exported by ``papermill`` itself (whose API is ``execute_notebook``), so
    papermill does not promise to keep it; checked with papermill 2.7.
    """
    from papermill.parameterize import parameterize_notebook as parameterize

    return parameterize(
        nb, parameters, report_mode=False, kernel_name=kernel_name, language=language
    )


def load_notebook_node(path: str) -> Any:
    """A notebook read as papermill reads it (every cell gets a ``tags`` list).

    Relies on ``papermill.iorw.load_notebook_node``, a submodule's function that
    ``papermill`` does not export; checked with papermill 2.7.
    """
    from papermill.iorw import load_notebook_node as load

    return load(path)


# --------------------------------------------------------------------------- nbclient
@functools.cache
def _borrowing_client_class() -> type:
    from nbclient import NotebookClient

    class BorrowingClient(NotebookClient):
        """nbclient on a kernel it does not own.

        nbclient's own set-up starts a kernel if needed, registers an exit hook that
        stops it, and takes over Ctrl-C to stop it too. The caller owns the kernel and
        Ctrl-C, so the set-up here does nothing.
        """

        @contextlib.asynccontextmanager
        async def async_setup_kernel(self, **kwargs: Any) -> AsyncIterator[None]:
            yield

    return BorrowingClient


def borrowed_kernel_client(nb: Any, *, km: Any, kc: Any, **options: Any) -> Any:
    """An ``nbclient.NotebookClient`` that runs ``nb`` on a kernel the caller started.

    Relies on two things nbclient does not document as API: that ``async_execute``
    enters ``self.async_setup_kernel(**kwargs)`` as an async context manager around
    the whole run (overridden here to do nothing: no kernel started, no exit hook, no
    Ctrl-C handler), and that it then talks to the kernel through the attribute
    ``kc``, set here to the caller's client; checked with nbclient 0.11.

    Parameters
    ----------
    nb : nbformat.NotebookNode
    km : jupyter_client.AsyncKernelManager
        The kernel's manager (nbclient asks it whether the kernel lives).
    kc : jupyter_client.AsyncKernelClient
        A client of that kernel, its channels started.
    **options
        Traits of ``NotebookClient`` (``timeout_func``, ``kernel_name``...).
    """
    client = _borrowing_client_class()(nb, km=km, **options)
    client.kc = kc
    return client


# --------------------------------------------------------------------------- distributed
#: The ``reason`` distributed gives the futures it cancels because the client lost its
#: connection to the scheduler (``Client._reconnect``); checked with distributed
#: 2026.8.
SCHEDULER_LOST = "scheduler-connection-lost"


def lost_its_scheduler(exc: BaseException) -> bool:
    """Whether ``exc`` is a future's cancellation because the client lost its scheduler.

    Relies on the ``reason`` attribute of distributed's ``FutureCancelledError`` and
    the wording :data:`SCHEDULER_LOST`; checked with distributed 2026.8.
    """
    return getattr(exc, "reason", None) == SCHEDULER_LOST


def forget_client(client: Any) -> None:
    """Mark a distributed ``Client`` closed and stop its event loop, whatever its state.

    A client that failed to connect keeps a finaliser that would print a traceback when
    the process ends. Relies on the attribute ``status`` (the finaliser's ``close``
    does nothing on a ``"closed"`` client) and on the private ``_loop_runner`` of
    ``distributed.Client``; checked with distributed 2026.8.
    """
    client.status = "closed"
    with contextlib.suppress(Exception):
        client._loop_runner.stop()


# --------------------------------------------------------------------------- openpyxl
#: The words of openpyxl's warnings about a part of a workbook it reads but cannot keep
#: (an extension, an image, a comment in a merged cell...); checked with openpyxl 3.1.
OPENPYXL_DROPS = "will be removed"


def drops_on_save(message: str) -> bool:
    """Whether an openpyxl warning says it dropped part of the workbook it loaded.

    Relies on the wording :data:`OPENPYXL_DROPS` of openpyxl's warnings (it has no
    warning class of its own for them); checked with openpyxl 3.1.
    """
    return OPENPYXL_DROPS in message


def stored_cells(ws: Any) -> Iterable[Any]:
    """The cells an openpyxl worksheet holds, without making the empty ones between.

    ``ws.iter_rows()`` would create a cell for every position of the used range.
    Relies on the private ``Worksheet._cells`` (a dict of the cells by row and column);
    checked with openpyxl 3.1.
    """
    return ws._cells.values()


# --------------------------------------------------------------------------- pandas
_UNCLOSED_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def row_of_unclosed_quote(exc: BaseException) -> int | None:
    """The record (counted from 0, the header included) where a CSV value opens a quote
    that never closes, as pandas' C parser reports it; None for another error.

    Relies on the wording of the ``ParserError`` of pandas' C parser ("EOF inside
    string starting at row 3"); checked with pandas 3.1.
    """
    found = _UNCLOSED_QUOTE.search(str(exc))
    return int(found.group(1)) if found else None


def wrong_width(exc: BaseException) -> bool:
    """Whether a pandas ``ParserError`` is about a row with another number of values
    than the header ("Expected 2 fields in line 3, saw 3").

    Relies on the wording of the C parser's message; checked with pandas 3.1.
    """
    return "Expected" in str(exc)


# --------------------------------------------------------------------------- IPython
def _no_collect(generation: int = 2) -> int:
    return 0


def reset_shell(shell: Any) -> None:
    """``shell.reset(new_session=False)`` without the full garbage collection it ends with.

    That collection costs about 70 ms with pandas and plotly loaded, most of a reset,
    and Python's own collector does that work anyway. Relies on
    ``InteractiveShell.reset`` ending with ``DisplayHook.flush``, which calls
    ``gc.collect()`` through the ``gc`` module, replaced for the call; checked with
    IPython 9.18.
    """
    collect = gc.collect
    gc.collect = _no_collect
    try:
        shell.reset(new_session=False)
    finally:
        gc.collect = collect
