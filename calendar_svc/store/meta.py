"""The ``meta`` table: small facts kept beside the data, and the schema revision."""

from __future__ import annotations

from calendar_svc.store.access import EngineAccess, kept_secret, read_meta, write_meta


class MetaRepo(EngineAccess):
    """Read and write ``meta`` keys; report the database's schema revision."""

    def get(self, key: str) -> str | None:
        """Return the value of ``key``, or None."""
        with self.reading() as conn:
            return read_meta(conn, key)

    def put(self, key: str, value: str) -> None:
        """Set the value of ``key``."""
        with self.writing() as conn:
            write_meta(conn, key, value)

    def secret(self, key: str, configured: str = "") -> str:
        """Return ``configured``, else the secret kept under ``key`` (made on first use)."""
        return kept_secret(self, key, configured)

    def schema_revision(self) -> str | None:
        """Return the database's Alembic revision, or None if it was never migrated."""
        from calendar_svc.store.migrate import current_revision

        with self.reading() as conn:
            return current_revision(conn)

    def uid_domain(self, base_url: str = "") -> str:
        """Return the installation's UID domain, fixed on first use (see
        :mod:`calendar_svc.store.installation`); ``base_url`` is read only then."""
        from calendar_svc.store.installation import uid_domain

        return uid_domain(self, base_url)
