"""The scopes in the database: the bundled registry, kept current, and the users' scopes.

:func:`sync_registry` writes the registry (``data/scopes.csv``) into the ``scopes``
tables whenever its hash differs from the one recorded, replacing the registry's rows
and leaving the users' rows alone, so user scopes survive upgrades and re-seeding.
:class:`ScopeRepo` reads the whole tree and adds, edits and removes user scopes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, text, update

from calendar_svc.core.scopes import Scope, ScopeError, ScopeTree, name_keys
from calendar_svc.errors import CalendarSvcError
from calendar_svc.store.access import EngineAccess, read_meta, write_meta
from calendar_svc.store.schema import SCOPES_SHA256_KEY
from calendar_svc.store.scope_index import SCOPE_COLUMNS, SqlScopeIndex, scope_from_db
from calendar_svc.store.tables import (
    anniversaries,
    organisations,
    scope_aliases,
    scope_links,
    scopes,
    subscribers,
)

#: Position of user scopes: after every registry unit, in the order they were added.
USER_POSITION_BASE = 1_000_000


class ScopeStoreError(CalendarSvcError):
    """A scope change that the stored data refuses; nothing was written."""


@dataclass(frozen=True, slots=True)
class ScopeUse:
    """What refers to a scope: rows, organisations, subscribers, child scopes."""

    anniversaries: int
    organisations: int
    subscribers: int
    children: int

    @property
    def any(self) -> bool:
        """Return whether anything refers to the scope."""
        return bool(self.anniversaries or self.organisations or self.subscribers or self.children)

    def describe(self) -> str:
        """Return the uses as words: "2 anniversaries, 1 organisations"."""
        parts = (
            (self.anniversaries, "anniversaries"),
            (self.organisations, "organisations"),
            (self.subscribers, "subscribers"),
            (self.children, "child scopes"),
        )
        return ", ".join(f"{n} {what}" for n, what in parts if n)


def scope_values(scope: Scope, position: int) -> dict[str, Any]:
    """Return the ``scopes`` row of a scope."""
    name_key, bare_key, fold_key, bare_fold_key = name_keys(scope.name_vi)
    return {
        "id": scope.id,
        "parent": scope.parent,
        "kind": scope.kind,
        "type_vi": scope.type_vi,
        "code": scope.code,
        "name_vi": scope.name_vi,
        "name_en": scope.name_en,
        "valid_to": scope.valid_to,
        "source": scope.source,
        "user_made": scope.user,
        "position": position,
        "name_key": name_key,
        "bare_key": bare_key,
        "fold_key": fold_key,
        "bare_fold_key": bare_fold_key,
    }


def _links(units: Iterable[Scope]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    links = [{"predecessor": s.id, "successor": n} for s in units for n in s.successors]
    aliases = [{"alias": a, "scope_id": s.id} for s in units for a in s.aliases]
    return links, aliases


def sync_registry(conn: Connection, registry: Sequence[Scope], sha256: str) -> bool:
    """Write ``registry`` unless the recorded hash is ``sha256``; return whether it did.

    The registry's rows, links and aliases are replaced; users' scopes stay. A user
    scope whose id the new registry takes is an error (user ids cannot take the
    registry's prefixes, so only a hand-edited database meets it).
    """
    if read_meta(conn, SCOPES_SHA256_KEY) == sha256:
        return False
    registry_ids = select(scopes.c.id).where(scopes.c.user_made.is_(False)).scalar_subquery()
    conn.execute(delete(scope_links).where(scope_links.c.predecessor.in_(registry_ids)))
    conn.execute(delete(scope_aliases).where(scope_aliases.c.scope_id.in_(registry_ids)))
    conn.execute(delete(scopes).where(scopes.c.user_made.is_(False)))
    taken = set(conn.execute(select(scopes.c.id)).scalars())
    clash = [s.id for s in registry if s.id in taken]
    if clash:
        raise ScopeStoreError(f"user scopes take ids of the registry: {', '.join(clash[:5])}")
    conn.execute(insert(scopes), [scope_values(s, i) for i, s in enumerate(registry)])
    links, aliases = _links(registry)
    if links:
        conn.execute(insert(scope_links), links)
    if aliases:
        conn.execute(insert(scope_aliases), aliases)
    write_meta(conn, SCOPES_SHA256_KEY, sha256)
    return True


def read_tree(conn: Connection) -> ScopeTree:
    """Return every stored scope as a validated tree."""
    successors: dict[str, list[str]] = defaultdict(list)
    for pred, succ in conn.execute(
        select(scope_links.c.predecessor, scope_links.c.successor).order_by(
            scope_links.c.predecessor, scope_links.c.successor
        )
    ):
        successors[pred].append(succ)
    aliases: dict[str, list[str]] = defaultdict(list)
    for alias, scope_id in conn.execute(select(scope_aliases.c.alias, scope_aliases.c.scope_id)):
        aliases[scope_id].append(alias)
    columns = [scopes.c[name] for name in SCOPE_COLUMNS]
    rows = conn.execute(select(*columns).order_by(scopes.c.position)).all()
    return ScopeTree(scope_from_db(r, successors[r[0]], aliases[r[0]]) for r in rows)


def scope_use(conn: Connection, scope_id: str) -> ScopeUse:
    """Return what refers to ``scope_id``."""

    def count(table: Any, column: Any) -> int:
        stmt = select(func.count()).select_from(table).where(column == scope_id)
        return int(conn.execute(stmt).scalar_one())

    return ScopeUse(
        anniversaries=count(anniversaries, anniversaries.c.scope),
        organisations=count(organisations, organisations.c.scope),
        subscribers=count(subscribers, subscribers.c.scope),
        children=count(scopes, scopes.c.parent),
    )


class ScopeRepo(EngineAccess):
    """The stored scopes: read the tree, look scopes up, change users' scopes."""

    def index(self) -> SqlScopeIndex:
        """Return indexed look-ups on this database."""

        def query(sql: str, params: Mapping[str, Any]) -> list[Any]:
            with self.reading() as conn:
                return list(conn.execute(text(sql), dict(params)).all())

        return SqlScopeIndex(query)

    def tree(self) -> ScopeTree:
        """Return every scope, registry and users', as a validated tree."""
        with self.reading() as conn:
            return read_tree(conn)

    def use(self, scope_id: str) -> ScopeUse:
        """Return what refers to ``scope_id``."""
        with self.reading() as conn:
            return scope_use(conn, scope_id)

    def add(self, scope: Scope) -> None:
        """Add a user scope; ScopeStoreError if the id is taken or the tree would break."""
        with self.writing() as conn:
            tree = read_tree(conn)
            if scope.id in tree:
                raise ScopeStoreError(f"phạm vi đã có / scope '{scope.id}' already exists")
            try:
                tree.with_scope(scope)
            except ScopeError as exc:
                raise ScopeStoreError(str(exc)) from None
            last = conn.execute(select(func.max(scopes.c.position))).scalar()
            position = max(int(last or 0) + 1, USER_POSITION_BASE)
            conn.execute(insert(scopes).values(scope_values(scope, position)))

    def replace(self, scope: Scope) -> None:
        """Replace a user scope; ScopeStoreError if unknown, the registry's, or tree-breaking."""
        with self.writing() as conn:
            tree = read_tree(conn)
            old = tree.get(scope.id)
            if old is None:
                raise ScopeStoreError(f"phạm vi không có / unknown scope '{scope.id}'")
            if not old.user:
                raise ScopeStoreError(
                    f"'{scope.id}' thuộc danh mục / belongs to the registry and cannot be edited"
                )
            try:
                tree.with_scope(scope)
            except ScopeError as exc:
                raise ScopeStoreError(str(exc)) from None
            position = conn.execute(
                select(scopes.c.position).where(scopes.c.id == scope.id)
            ).scalar_one()
            values = scope_values(scope, int(position))
            del values["id"]
            conn.execute(update(scopes).where(scopes.c.id == scope.id).values(values))

    def remove(self, scope_id: str) -> None:
        """Remove a user scope nothing refers to; ScopeStoreError otherwise."""
        with self.writing() as conn:
            row = conn.execute(select(scopes.c.user_made).where(scopes.c.id == scope_id)).first()
            if row is None:
                raise ScopeStoreError(f"phạm vi không có / unknown scope '{scope_id}'")
            if not row[0]:
                raise ScopeStoreError(
                    f"'{scope_id}' thuộc danh mục / belongs to the registry and cannot be removed"
                )
            use = scope_use(conn, scope_id)
            if use.any:
                raise ScopeStoreError(
                    f"phạm vi đang được dùng / scope '{scope_id}' is in use: {use.describe()}"
                )
            conn.execute(delete(scope_links).where(scope_links.c.predecessor == scope_id))
            conn.execute(delete(scope_aliases).where(scope_aliases.c.scope_id == scope_id))
            conn.execute(delete(scopes).where(scopes.c.id == scope_id))

    def upsert(self, user_scopes: Sequence[Scope]) -> int:
        """Add or replace user scopes in one transaction; return how many changed.

        ScopeStoreError (nothing written) if one takes a registry id or the tree breaks.
        """
        with self.writing() as conn:
            tree = read_tree(conn)
            changed = 0
            for scope in user_scopes:
                old = tree.get(scope.id)
                if old is not None and not old.user:
                    raise ScopeStoreError(f"'{scope.id}' belongs to the registry")
                if old == scope:
                    continue
                try:
                    tree = tree.with_scope(scope)
                except ScopeError as exc:
                    raise ScopeStoreError(str(exc)) from None
                if old is None:
                    last = conn.execute(select(func.max(scopes.c.position))).scalar()
                    position = max(int(last or 0) + 1, USER_POSITION_BASE)
                    conn.execute(insert(scopes).values(scope_values(scope, position)))
                else:
                    values = scope_values(scope, 0)
                    del values["id"], values["position"]
                    conn.execute(update(scopes).where(scopes.c.id == scope.id).values(values))
                changed += 1
            return changed

    def user_scopes(self) -> list[Scope]:
        """Return the users' scopes, in the order they were added."""
        return [s for s in self.tree() if s.user]
