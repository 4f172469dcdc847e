"""The other libraries' internals socialkit relies on, each checked on the installed library.

A failure here means an upgrade changed something ``socialkit/_compat.py`` relies on:
the message names the library and its version. No mocks: every test uses the real
library.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import io
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from socialkit import _compat

PACKAGE = Path(__file__).resolve().parents[1] / "socialkit"


def version(module: str) -> str:
    from importlib.metadata import version as installed

    return f"{module} {installed(module)}"


# --------------------------------------------------------------------------- plotly
def test_plotly_builds_a_figure_unvalidated_and_validates_again_when_asked() -> None:
    import plotly.graph_objects as go

    lib = version("plotly")
    with pytest.raises(ValueError, match="bogus"):  # what the unvalidated figure skips
        go.Figure([{"type": "scatter", "bogus": 1}])
    try:
        fig = _compat.unvalidated_figure([{"type": "scatter", "bogus": 1}], {"bogus": 2})
    except (TypeError, ValueError) as exc:
        pytest.fail(f"{lib}: Figure(..., _validate=False) no longer skips validation: {exc}")
    assert fig.to_dict()["data"][0]["bogus"] == 1, f"{lib}: unvalidated data was changed"
    for obj in (fig, fig.layout, fig.data[0]):
        assert getattr(obj, "_validate", None) is False, (
            f"{lib}: {type(obj).__name__}._validate is not False after _validate=False"
        )
    _compat.validate_from_now(fig)
    with pytest.raises(ValueError, match="nonsense"):
        fig.layout["nonsense"] = 1
    with pytest.raises(ValueError, match="nonsense"):
        fig.data[0]["nonsense"] = 1


def test_plotly_figure_dicts_are_what_to_dict_copies() -> None:
    import plotly.graph_objects as go

    lib = version("plotly")
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]), layout={"title": {"text": "T"}})
    assert hasattr(fig, "_data") and hasattr(fig, "_layout"), (
        f"{lib}: figures no longer have _data and _layout"
    )
    data, layout = _compat.figure_dicts(fig)
    assert data == fig.to_dict()["data"], f"{lib}: fig._data is not the figure's trace dicts"
    assert layout == fig.to_dict()["layout"], f"{lib}: fig._layout is not its layout dict"
    fig.layout.title.text = "U"
    assert layout["title"]["text"] == "U", f"{lib}: fig._layout is a copy, not the figure's"


# --------------------------------------------------------------------------- papermill
def notebook(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(x)"),
    ]
    nb.cells[1].metadata = {}  # no tags: papermill's reader adds them
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def test_papermill_loads_a_notebook_with_tags_on_every_cell(tmp_path: Path) -> None:
    lib = version("papermill")
    try:
        nb = _compat.load_notebook_node(str(notebook(tmp_path)))
    except (ImportError, TypeError) as exc:
        pytest.fail(f"{lib}: papermill.iorw.load_notebook_node changed: {exc}")
    assert [c.metadata.get("tags") for c in nb.cells] == [["parameters"], []], (
        f"{lib}: load_notebook_node no longer gives every cell a tags list"
    )


def test_papermill_injects_parameters_after_the_parameters_cell(tmp_path: Path) -> None:
    lib = version("papermill")
    nb = _compat.load_notebook_node(str(notebook(tmp_path)))  # tags on every cell
    try:
        out = _compat.parameterize_notebook(nb, {"x": 1}, kernel_name="python3", language="python")
    except (ImportError, TypeError) as exc:
        pytest.fail(f"{lib}: papermill.parameterize.parameterize_notebook changed: {exc}")
    tags = [c.metadata.get("tags", []) for c in out.cells]
    assert tags[:2] == [["parameters"], ["injected-parameters"]], (
        f"{lib}: the injected cell is no longer tagged and placed after 'parameters': {tags}"
    )
    assert "x = 1" in out.cells[1].source, f"{lib}: injected source {out.cells[1].source!r}"
    assert "kernelspec" not in out.metadata  # named by the keywords, not written down


# --------------------------------------------------------------------------- nbclient
def test_nbclient_runs_its_set_up_as_an_overridable_context_and_uses_kc() -> None:
    from nbclient import NotebookClient

    lib = version("nbclient")
    source = inspect.getsource(NotebookClient.async_execute)
    assert "async with self.async_setup_kernel(" in source, (
        f"{lib}: async_execute no longer enters async_setup_kernel, which socialkit "
        "overrides to keep nbclient off a kernel it does not own"
    )
    kc = object()
    client = _compat.borrowed_kernel_client(nbformat.v4.new_notebook(), km=None, kc=kc)
    assert isinstance(client, NotebookClient)
    assert client.kc is kc, f"{lib}: NotebookClient.kc cannot be set from outside"

    async def set_up() -> None:
        async with client.async_setup_kernel():
            pass

    asyncio.run(set_up())
    assert client.km is None and client.kc is kc, (
        f"{lib}: the overridden set-up started or replaced a kernel"
    )


# --------------------------------------------------------------------------- distributed
def test_distributed_cancels_for_a_lost_scheduler_with_the_known_reason() -> None:
    distributed = pytest.importorskip("distributed")
    from distributed.client import Client, FutureCancelledError

    lib = version("distributed")
    assert f'reason="{_compat.SCHEDULER_LOST}"' in inspect.getsource(Client._reconnect), (
        f"{lib}: Client._reconnect no longer cancels futures with reason {_compat.SCHEDULER_LOST!r}"
    )
    exc = FutureCancelledError("k", reason=_compat.SCHEDULER_LOST)
    assert _compat.lost_its_scheduler(exc), f"{lib}: FutureCancelledError.reason changed"
    assert not _compat.lost_its_scheduler(FutureCancelledError("k", reason="other"))
    assert distributed.__version__


def test_distributed_client_loop_can_be_stopped_and_the_client_marked_closed() -> None:
    pytest.importorskip("distributed")
    from distributed import Client
    from distributed.utils import LoopRunner

    lib = version("distributed")
    assert "self._loop_runner = LoopRunner(" in inspect.getsource(Client.__init__), (
        f"{lib}: a Client no longer keeps its event loop's runner in _loop_runner"
    )
    assert callable(getattr(LoopRunner, "stop", None)), f"{lib}: LoopRunner.stop is gone"
    assert not isinstance(inspect.getattr_static(Client, "status", None), property), (
        f"{lib}: Client.status became a property; socialkit sets it to mark a client closed"
    )
    assert "self.close()" in inspect.getsource(Client.__del__), f"{lib}: Client.__del__"
    assert 'if self.status in ["closed",' in inspect.getsource(Client.close), (
        f"{lib}: Client.close no longer does nothing on a client whose status is "
        "'closed', which socialkit sets so that a failed client's finaliser stays quiet"
    )


# --------------------------------------------------------------------------- openpyxl
def test_openpyxl_keeps_a_worksheets_cells_by_position() -> None:
    from openpyxl import Workbook

    lib = version("openpyxl")
    ws = Workbook().active
    ws["B3"] = "=1+1"
    ws["D9"] = "text"
    cells = {c.coordinate: c.data_type for c in _compat.stored_cells(ws)}
    assert cells == {"B3": "f", "D9": "s"}, f"{lib}: Worksheet._cells holds {cells}"


def test_openpyxl_says_what_it_drops_in_the_known_words(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    lib = version("openpyxl")
    path = tmp_path / "ext.xlsx"
    Workbook().save(path)
    ext = (
        '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        "</ext></extLst></worksheet>"
    )
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"</worksheet>", ext.encode())
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_workbook(path)
    messages = [str(w.message) for w in caught]
    assert any(_compat.drops_on_save(m) for m in messages), (
        f"{lib}: the warning about an extension it drops no longer says "
        f"{_compat.OPENPYXL_DROPS!r}: {messages}"
    )


# --------------------------------------------------------------------------- pandas
def parser_error(data: bytes) -> pd.errors.ParserError:
    with pytest.raises(pd.errors.ParserError) as info:
        pd.read_csv(io.BytesIO(data), dtype="str", keep_default_na=False, index_col=False)
    return info.value


def test_pandas_names_the_record_of_an_unclosed_quote() -> None:
    lib = version("pandas")
    exc = parser_error(b'a,b\n1,2\n3,"never closed\n4,5\n')
    assert _compat.row_of_unclosed_quote(exc) == 2, f"{lib}: message is {str(exc)!r}"
    assert not _compat.wrong_width(exc), f"{lib}: message is {str(exc)!r}"


def test_pandas_says_expected_of_a_row_of_another_width() -> None:
    lib = version("pandas")
    exc = parser_error(b"a,b\n1,2\n3,4,5,6\n")
    assert _compat.wrong_width(exc), f"{lib}: message is {str(exc)!r}"
    assert _compat.row_of_unclosed_quote(exc) is None


# --------------------------------------------------------------------------- IPython
@contextlib.contextmanager
def full_collections() -> Iterator[list[int]]:
    """Count the full garbage collections that start inside the block (the automatic
    ones are paused)."""
    import gc

    started: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            started.append(1)

    enabled = gc.isenabled()
    gc.disable()
    gc.callbacks.append(count)
    try:
        yield started
    finally:
        gc.callbacks.remove(count)
        if enabled:
            gc.enable()


def test_ipython_reset_collects_garbage_unless_compat_pauses_it() -> None:
    import gc

    from IPython.core.interactiveshell import InteractiveShell

    lib = version("ipython")
    shell = InteractiveShell.instance()
    try:
        with full_collections() as plain:
            shell.reset(new_session=False)
        assert plain, (
            f"{lib}: InteractiveShell.reset no longer ends with a full garbage "
            "collection, which socialkit pauses during a kernel's reset"
        )
        shell.user_ns["leaked"] = 1
        collect = gc.collect
        with full_collections() as paused:
            _compat.reset_shell(shell)
        assert paused == [], f"{lib}: reset collects garbage other than through gc.collect"
        assert "leaked" not in shell.user_ns, f"{lib}: reset(new_session=False) kept names"
        assert gc.collect is collect
    finally:
        InteractiveShell.clear_instance()


# --------------------------------------------------------------------------- the door
#: What only ``_compat`` may touch: attributes of other libraries' objects, methods of
#: theirs it overrides, and modules.
INTERNALS = {"_validate", "_data", "_layout", "_cells", "_loop_runner"}
OVERRIDES = {"async_setup_kernel"}
MODULES = {"papermill.parameterize", "papermill.iorw"}


def test_no_other_module_uses_the_internals_that_compat_wraps() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_compat.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in INTERNALS
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                node.name in OVERRIDES
            ):
                found.append(f"{path.name}:{node.lineno} def {node.name}")
            elif isinstance(node, ast.ImportFrom) and node.module in MODULES:
                found.append(f"{path.name}:{node.lineno} from {node.module}")
            elif isinstance(node, ast.keyword) and node.arg in INTERNALS:
                found.append(f"{path.name}:{node.lineno} {node.arg}=")
    assert found == []


def test_importing_compat_loads_none_of_the_libraries_it_wraps() -> None:
    code = (
        "import sys, socialkit._compat\n"
        "heavy = ('plotly', 'nbclient', 'papermill', 'distributed', 'openpyxl', 'IPython',"
        " 'pandas')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
