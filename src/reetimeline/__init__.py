"""reetimeline: a sourced timeline of critical-mineral export controls, in your terminal."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reetimeline")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
