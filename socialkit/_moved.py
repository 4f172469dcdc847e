"""The module paths of socialkit before its layers became subpackages, kept working.

``import socialkit.tools`` or ``from socialkit.io import load_portfolio`` in a user's own
notebook or script gives the module where that code lives now
(:mod:`socialkit.analysis.tool_fit`, :mod:`socialkit.contract.io`): the very same module
object, so what is set on one is seen through the other. Only the public modules are
listed; the former private modules (``socialkit._frames`` and the like) are not kept.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType

__all__ = ["MOVED", "install"]

#: Former module name (under ``socialkit.``) -> where the module is now.
MOVED = {
    "advice": "socialkit.analysis.advice",
    "check": "socialkit.analysis.check",
    "cluster": "socialkit.reports.cluster",
    "display": "socialkit.reports.display",
    "editing": "socialkit.editor.draft",
    "export": "socialkit.reports.export",
    "fingerprints": "socialkit.reports.fingerprints",
    "fragments": "socialkit.base.fragments",
    "io": "socialkit.contract.io",
    "issues": "socialkit.contract.issues",
    "kernels": "socialkit.reports.kernels",
    "names": "socialkit.contract.tool_names",
    "portfolio_charts": "socialkit.charts.portfolio",
    "readers": "socialkit.contract.readers",
    "runner": "socialkit.reports.runner",
    "schema": "socialkit.contract.schema",
    "synth": "socialkit.contract.synth",
    "tools": "socialkit.analysis.tool_fit",
    "validation": "socialkit.contract.validation",
    "vocab": "socialkit.contract.vocab",
    "widgets": "socialkit.editor.widget",
    "writers": "socialkit.contract.writers",
}


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds a former module name and loads it as the module it is now."""

    def find_spec(self, fullname: str, path: object = None, target: object = None):
        prefix, _, name = fullname.partition(".")
        if prefix != "socialkit" or name not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(MOVED[spec.name.partition(".")[2]])

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module was imported under its own name."""


def install() -> None:
    """Let the former module names be imported (once per interpreter)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
