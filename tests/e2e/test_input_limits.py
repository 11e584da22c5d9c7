"""Length limits and ASCII digits at input: one line, exit 1, nothing written."""

from __future__ import annotations

import pytest

from conftest import Cli

LONG_LOCAL = "a" * 64
ADDRESS_255 = f"{LONG_LOCAL}@{'b' * 63}.{'c' * 63}.{'d' * 63}.vn"  # 64 + 1 + 194 = 259


def _one_line(result, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert result.code == 1, (result.code, result.out, result.err)
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err
    for needle in needles:
        assert needle in result.err, (needle, result.err)


def test_names_longer_than_200_and_addresses_longer_than_254_are_refused(cli: Cli) -> None:
    name = "Tên " * 50 + "x"  # 201 characters
    assert len(name) == 201 and len(ADDRESS_255) > 254
    _one_line(cli("org", "add", "cp", "--name", name, "--scope", "city:cam-pha"), "200")
    assert cli("org", "add", "cp", "--name", "Ban", "--scope", "city:cam-pha").code == 0
    _one_line(cli("subscribers", "add", "a@example.org", "--name", name, "--org", "cp"), "200")
    _one_line(cli("subscribers", "add", ADDRESS_255, "--name", "Cán bộ", "--org", "cp"), "254")
    added = cli(
        "add", "dai", "--name-vi", name, "--origin", "2000-01-01", "--category", "dia-phuong",
        "--scope", "city:cam-pha", "--source", "https://example.org/a",
    )  # fmt: skip
    _one_line(added, "200")
    assert "\ndai," not in cli("export").out
    ok = cli("subscribers", "add", "a@example.org", "--name", "x" * 200, "--org", "cp")
    assert ok.code == 0, ok.err


@pytest.mark.parametrize(
    "args",
    [
        ("month", "٢٠٢٣-٠٢"),
        ("month", "2023-٠٢"),
        ("year", "２０２３"),
        ("lunar", "to-solar", "２０２３-01-01"),
        ("directive", "2023-٠٢", "--org", "cp"),
        ("serve", "--port", "٨٠٨٠"),
    ],
)
def test_non_ascii_digits_are_refused_in_dates_and_ports(cli: Cli, args: tuple[str, ...]) -> None:
    _one_line(cli(*args))


@pytest.mark.parametrize("port", ["٢٥", "２５", "2\u0665"])
def test_non_ascii_digits_are_refused_in_configured_ports(cli: Cli, port: str) -> None:
    _one_line(cli("month", "2023-02", env={"CALENDAR_SVC_SMTP_PORT": port}), "SMTP_PORT")


def test_non_ascii_digits_are_refused_in_add(cli: Cli) -> None:
    added = cli(
        "add", "moi", "--name-vi", "Tên", "--origin", "٢٠٠٠-01-01", "--category", "dia-phuong",
        "--scope", "city:cam-pha", "--source", "https://example.org/a",
    )  # fmt: skip
    _one_line(added, "origin")
