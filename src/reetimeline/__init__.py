"""reetimeline: a sourced timeline of critical-mineral export controls, in your terminal."""

# The one place the version is written (pyproject reads it from here): importing
# importlib.metadata to look it up would cost every command 20-50 ms.
__version__ = "0.1.0"
