"""Addresses a fetch may reach: loopback, private and link-local ones only when a source allows.

Two checks, because a name can resolve to a public address when it is checked and to a private
one when it is connected to (DNS rebinding, or a resolver that answers differently each time):
``private_address`` looks the name up before connecting; ``peer_refusal`` looks at the address
the connection actually went to, right after the TCP connect and before a byte is sent
(``connect_guard``, an httpcore ``trace`` hook). Through an HTTP proxy the peer is the proxy, so
only the first check applies there (``uses_proxy``).
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _plain_address(address: IPAddress) -> IPAddress:
    """Return the IPv4 address inside an IPv4-mapped IPv6 one, else the address itself."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_private(address: IPAddress) -> bool:
    """Return True for loopback, private, link-local, shared (CGNAT), reserved, multicast and
    unspecified addresses: anything but a public unicast address.

    >>> is_private(ipaddress.ip_address("::ffff:127.0.0.1")), is_private(ipaddress.ip_address("8.8.8.8"))
    (True, False)
    """
    address = _plain_address(address)
    return not address.is_global or address.is_multicast


def private_address(host: str, port: int | None = None) -> str | None:
    """Return the first non-public address ``host`` resolves to, or None when all are public.

    Raises ``socket.gaierror`` when the name does not resolve.

    >>> private_address("10.0.0.1"), private_address("93.184.216.34")
    ('10.0.0.1', None)
    """
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        infos = socket.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        if is_private(address):
            return str(_plain_address(address))
    return None


def peer_refusal(server_addr: Any) -> str | None:
    """Return why a connection to ``server_addr`` (a socket's peer, ``(ip, port, ...)``) must not
    be used by a source that does not allow private addresses, or None when the peer is public.

    >>> peer_refusal(("93.184.216.34", 443)) is None
    True
    >>> peer_refusal(("::ffff:10.0.0.7", 80, 0, 0)).split(" (")[0]
    'refused: connected to private address 10.0.0.7'
    """
    try:
        address = ipaddress.ip_address(str(server_addr[0]).split("%", 1)[0])
    except (TypeError, IndexError, KeyError, ValueError):
        return "refused: cannot tell which address the connection went to"
    if not is_private(address):
        return None
    return (
        f"refused: connected to private address {_plain_address(address)}"
        " (the name resolved to a public address when checked: DNS rebinding?;"
        " allow_private = true for this source allows it)"
    )


def uses_proxy(url: str) -> bool:
    """Return True when the environment sends ``url`` through a proxy (HTTP_PROXY, HTTPS_PROXY,
    ALL_PROXY, minus NO_PROXY), as httpx does with its default ``trust_env``."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if not (proxies.get(parts.scheme.lower()) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")


class PeerRefused(Exception):
    """Raised from inside httpx when a new connection reached a private address."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def connect_guard() -> Callable[[str, dict[str, Any]], None]:
    """Return an httpcore ``trace`` hook that closes every new connection whose peer is private
    and raises ``PeerRefused``, after the TCP connect and before TLS or the request is sent.

    Pass it as ``extensions={"trace": connect_guard()}``; a reused keep-alive connection was
    checked when it was made.
    """

    def check(event: str, info: dict[str, Any]) -> None:
        if event != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        reason = peer_refusal(peer)
        if reason is not None:
            if stream is not None:
                stream.close()  # httpcore drops the stream without closing it when we raise
            raise PeerRefused(reason)

    return check


__all__ = [
    "PeerRefused", "connect_guard", "is_private", "peer_refusal", "private_address", "uses_proxy",
]
