"""Where links point: the configured public address, or the request's own Host.

``web.base_url`` is the public address of the service. When it is unset, pages and feeds
build their links from the request: its scheme and its ``Host`` header, once the host is
checked to be a plain host name or IP address with an optional port (no user part, path,
spaces or control characters), so a forged header cannot put markup or another path in
a link; when ``web.allowed_hosts`` is set, a host it does not list gives way to the
first one it lists. Reminders have no request to go by, so they need ``web.base_url``;
and a link to a loopback address (``127.0.0.1``, ``::1``, ``localhost``) works for nobody
who reads the mail, so reminders refuse to go out with one (:func:`mail_base_url`).

A mail sent because of a request (a sign-in link) is read by someone other than the
client who asked, so its links may only point to a host the operator vouched for
(:func:`vouched_base_url`): ``web.base_url``'s, else the request's ``Host`` if
``web.allowed_hosts`` lists it, or if both the server and that ``Host`` are loopback
(local use). A forged ``Host`` then never reaches a mailbox.

Pure: stdlib only.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from calendar_svc.errors import CalendarSvcError

#: A DNS name (letters, digits, '-', '.', '_') or an IPv4 address, or an IPv6 address in
#: brackets; then an optional port.
_HOST_RE = re.compile(
    r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,252})))"
    r"(?::(?P<port>[0-9]{1,5}))?$"
)


class MailLinkError(CalendarSvcError):
    """Reminders would carry links that cannot work (no or a loopback web.base_url)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        what = (
            f"web.base_url '{base_url}' trỏ về máy này / points to this machine"
            if base_url
            else ("chưa đặt web.base_url / web.base_url is not set")
        )
        super().__init__(
            f"không gửi thư nhắc / refusing to send reminders: {what}, so their links "
            "would not work for readers; set web.base_url to the service's public address"
        )


def valid_host(header: str | None) -> str | None:
    """Return the ``Host`` header if it is a plain host with an optional port, else None."""
    if not header:
        return None
    m = _HOST_RE.match(header.strip())
    if m is None:
        return None
    if m["port"] is not None and not 0 < int(m["port"]) <= 65535:
        return None
    if m["v6"] is not None:
        try:
            ipaddress.IPv6Address(m["v6"])
        except ValueError:
            return None
    name = m["name"]
    if name is not None and (".." in name or name.endswith("-")):
        return None
    return header.strip().lower()


def parse_hosts(text: str) -> tuple[str, ...]:
    """Return the hosts of ``web.allowed_hosts`` (separated by commas or spaces), lowercase.

    Raises:
        ValueError: one is not a plain host name or address with an optional port.
    """
    hosts: list[str] = []
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        host = valid_host(item)
        if host is None:
            raise ValueError(f"{item!r} is not a host name (e.g. lich.example.vn)")
        hosts.append(host)
    return tuple(hosts)


def _hostname(host: str) -> str:
    """Return ``host`` (a :func:`valid_host` value) without its port."""
    if host.startswith("["):
        return host[: host.index("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host


def host_is_listed(host: str, allowed: tuple[str, ...]) -> bool:
    """Return whether ``host`` is in ``allowed``: exactly, or by name for an entry without
    a port."""
    return host in allowed or _hostname(host) in allowed


def _scheme(scheme: str) -> str:
    return "https" if scheme in ("https", "wss") else "http"


def base_url_for(
    configured: str,
    scheme: str,
    host_header: str | None,
    fallback: str,
    allowed: tuple[str, ...] = (),
) -> str:
    """Return the base URL of links: ``configured`` if set, else the request's own.

    Args:
        configured: ``web.base_url`` ('' when unset).
        scheme: The request's scheme (``http`` or ``https``).
        host_header: The request's ``Host`` header.
        fallback: ``host:port`` the server listens on, used when the header is missing
            or invalid.
        allowed: ``web.allowed_hosts``; when set, a host it does not list is replaced by
            its first entry.

    Returns:
        A URL without a trailing slash, e.g. ``http://lich.example.vn:8080``.
    """
    if configured:
        return configured.rstrip("/")
    host = valid_host(host_header) or fallback
    if allowed and not host_is_listed(host, allowed):
        host = allowed[0]
    return f"{_scheme(scheme)}://{host}"


def vouched_base_url(
    configured: str,
    allowed: tuple[str, ...],
    scheme: str,
    host_header: str | None,
    server_host: str,
) -> str | None:
    """Return the base URL for links in a mail a request asked for, or None.

    ``web.base_url`` if set; else the request's own address if its ``Host`` is listed
    in ``web.allowed_hosts``, or if the server listens on a loopback address
    (``server_host``) and ``Host`` names a loopback address too. None otherwise: no
    mail may go out with a host nobody vouched for.
    """
    if configured:
        return configured.rstrip("/")
    host = valid_host(host_header)
    if host is None:
        return None
    local = is_loopback_host(server_host) and is_loopback_host(_hostname(host))
    if not (host_is_listed(host, allowed) or local):
        return None
    return f"{_scheme(scheme)}://{host}"


def is_loopback_host(host: str) -> bool:
    """Return whether ``host`` (no port) names this machine: localhost or a loopback IP."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def mail_base_url(base_url: str) -> str:
    """Return ``web.base_url`` for links in mails.

    Raises:
        MailLinkError: it is unset, or its host is a loopback address.
    """
    host = urlsplit(base_url).hostname if base_url else None
    if not host or is_loopback_host(host):
        raise MailLinkError(base_url)
    return base_url.rstrip("/")
