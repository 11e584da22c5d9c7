"""The repository's own published feeds: ``feeds/`` at the top level, rebuilt from the
bundled dataset over the window that ``feeds/feeds.toml`` declares.

The declaration fixes everything the files depend on besides the data: the feeds (by
name, as in the service's URLs), the first and last year, and the UID domain. DTSTAMP is
each bundled row's revision, the dataset's. So rebuilding gives the same bytes until the
data changes, and a test holds the committed files to it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from calendar_svc.core.scopes import ScopeTree
from calendar_svc.errors import CalendarSvcError
from calendar_svc.feeds.definitions import FeedCatalog, FeedSpec, Window
from calendar_svc.feeds.publish import FeedOptions, PublishReport, build_and_publish
from calendar_svc.store.memory import MemoryReader

DECLARATION = "feeds.toml"


class PublishedFeedsError(CalendarSvcError):
    """``feeds.toml`` is missing a value or names an unknown feed."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True, slots=True)
class Declaration:
    """What ``feeds.toml`` declares."""

    window: Window
    uid_domain: str
    names: tuple[str, ...]


def read_declaration(path: Path) -> Declaration:
    """Read ``feeds.toml``.

    Raises:
        PublishedFeedsError: a value is missing or of the wrong type.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        first, last = int(data["first_year"]), int(data["last_year"])
        domain, names = str(data["uid_domain"]), tuple(str(n) for n in data["feeds"])
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise PublishedFeedsError(path, f"cannot read the declaration ({exc})") from exc
    if last < first:
        raise PublishedFeedsError(path, f"last_year {last} is before first_year {first}")
    return Declaration(Window(date(first, 1, 1), date(last, 12, 31)), domain, names)


def published_specs(path: Path, declaration: Declaration, scopes: ScopeTree) -> list[FeedSpec]:
    """Return the declared feeds.

    Raises:
        PublishedFeedsError: a name is no feed.
    """
    catalog = FeedCatalog(scopes)
    specs = []
    for name in declaration.names:
        spec = catalog.resolve(name)
        if spec is None:
            raise PublishedFeedsError(path, f"no feed named '{name}'")
        specs.append(spec)
    return specs


def build_published(directory: Path, out: Path | None = None) -> PublishReport:
    """Build the feeds ``directory/feeds.toml`` declares from the bundled dataset.

    Args:
        directory: The directory holding ``feeds.toml`` (the repository's ``feeds/``).
        out: Where to write; ``directory`` itself by default.
    """
    from calendar_svc import catalog

    path = directory / DECLARATION
    declaration = read_declaration(path)
    scopes = catalog.load_scopes()
    reader = MemoryReader(catalog.load_bundled(), catalog.DATASET_REVISION)
    specs = published_specs(path, declaration, scopes)
    options = FeedOptions(uid_domain=declaration.uid_domain)
    return build_and_publish(reader, specs, declaration.window, out or directory, options)
