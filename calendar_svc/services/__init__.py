"""Services: what the entrypoints (CLI, web, scheduler) ask for, as data.

A service takes the :class:`~calendar_svc.store.store.Store` (or, to read anniversaries
only, an :class:`~calendar_svc.store.repository.AnniversaryReader`), never an engine, and
imports no SQLAlchemy.

Modules:
    listing: the occurrences of a period, a scope and filters (``month``, ``year``, web).
    directive: a month's directive draft for an organisation.
    reminders: plan the due reminders into the outbox and dispatch them (one tick).
"""
