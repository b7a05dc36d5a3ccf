"""Every command, registered on the app: the one place that imports the command modules (each
registers its commands on `application.app` when imported)."""

from . import briefing, exchange, measures, overviews, update, views  # noqa: F401 - imported to register
from .application import app

__all__ = ["app"]
