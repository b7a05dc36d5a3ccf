"""reetimeline: a sourced timeline of critical-mineral export controls, in your terminal."""

# The one place the version is written (pyproject reads it from here): importing
# importlib.metadata to look it up would cost every command 20-50 ms.
__version__ = "0.1.0"

# The Python API (reetimeline.api) under the package's name: `reetimeline.status(...)`. Loaded
# on first use only, so that the console script, which imports this package, pays nothing.
_API = ("load", "list_events", "status", "countdown", "changes", "matrix", "export")


def __getattr__(name: str):
    if name in _API:
        # by name, not `from . import api`: the store and the formats import this package for
        # `__version__` only, and the layers contract must not read that as their importing the
        # API (only this alias, used by people, reaches it)
        import importlib

        return getattr(importlib.import_module("reetimeline.api"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
