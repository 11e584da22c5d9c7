"""Alembic migrations of the store (a package so that the wheel ships them)."""
