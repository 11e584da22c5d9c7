"""calendar_svc: a commemoration calendar and reminder service."""

__version__ = "0.1.0"
