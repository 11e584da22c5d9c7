"""Organisations and subscribers in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from store_support import store_on

from calendar_svc.core.recipients import DueKind, DueRule, Organisation, Subscriber
from calendar_svc.errors import AlreadyExistsError, NotFoundError
from calendar_svc.store.organisations import OrganisationInUseError, OrganisationRepo

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.external_service)]
QN = Organisation(
    "quang-ninh", "Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Ninh", "province:quang-ninh"
)


@pytest.fixture(params=STORES)
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OrganisationRepo]:
    with store_on(request.param, tmp_path) as store:
        yield store.organisations


def test_organisation_round_trip_and_edit(repo: OrganisationRepo) -> None:
    repo.add_organisation(QN)
    assert repo.get_organisation("quang-ninh") == QN
    changed = Organisation(QN.id, QN.name, "city:cam-pha", DueRule(DueKind.DAYS_BEFORE, 5), (7,))
    repo.replace_organisation(changed)
    assert repo.organisations() == [changed]


def test_organisation_errors(repo: OrganisationRepo) -> None:
    repo.add_organisation(QN)
    with pytest.raises(AlreadyExistsError, match="organisation 'quang-ninh' already exists"):
        repo.add_organisation(QN)
    with pytest.raises(NotFoundError, match="no organisation 'nowhere'"):
        repo.get_organisation("nowhere")
    with pytest.raises(NotFoundError):
        repo.replace_organisation(Organisation("nowhere", "X", "national"))
    with pytest.raises(NotFoundError):
        repo.remove_organisation("nowhere")


def test_an_organisation_with_subscribers_is_not_removed(repo: OrganisationRepo) -> None:
    repo.add_organisation(QN)
    repo.add_subscriber(Subscriber("a@example.org", "A", organisation="quang-ninh"))
    with pytest.raises(OrganisationInUseError, match="still has 1 subscriber"):
        repo.remove_organisation("quang-ninh")
    repo.remove_subscriber("A@Example.org")
    repo.remove_organisation("quang-ninh")
    assert repo.organisations() == []


def test_subscriber_round_trip(repo: OrganisationRepo) -> None:
    repo.add_organisation(QN)
    member = Subscriber("can-bo@example.org", "Cán bộ", organisation="quang-ninh")
    other = Subscriber(
        "b@example.org",
        "B",
        scope="city:cam-pha",
        categories=("le-hoi", "dia-phuong"),
        lang="en",
        leads=(),
    )
    repo.add_subscriber(member)
    repo.add_subscriber(other)
    assert repo.get_subscriber("Can-Bo@example.org") == member
    assert repo.subscribers() == [other, member]
    assert repo.subscribers(organisation="quang-ninh") == [member]
    assert repo.subscribers_by_email(["b@example.org", "nobody@example.org"]) == {
        "b@example.org": other
    }
    assert repo.get_subscriber("b@example.org").categories == ("dia-phuong", "le-hoi")


def test_subscriber_errors(repo: OrganisationRepo) -> None:
    with pytest.raises(NotFoundError, match="no organisation 'nowhere'"):
        repo.add_subscriber(Subscriber("a@example.org", "A", organisation="nowhere"))
    repo.add_subscriber(Subscriber("a@example.org", "A", scope="national"))
    with pytest.raises(AlreadyExistsError, match=r"subscriber 'a@example\.org' already exists"):
        repo.add_subscriber(Subscriber("A@example.org", "A2", scope="national"))
    with pytest.raises(NotFoundError, match=r"no subscriber 'z@example\.org'"):
        repo.remove_subscriber("z@example.org")


def test_unsubscribe_keeps_the_row_inactive(repo: OrganisationRepo) -> None:
    repo.add_subscriber(Subscriber("a@example.org", "A", scope="national"))
    when = datetime(2023, 2, 1, tzinfo=UTC)
    assert repo.unsubscribe("A@example.org", now=when) is True
    assert repo.unsubscribe("a@example.org", now=when) is False
    assert repo.unsubscribe("nobody@example.org", now=when) is False
    sub = repo.get_subscriber("a@example.org")
    assert (sub.active, sub.unsubscribed_at) == (False, when)
    assert repo.subscribers(active_only=True) == []
