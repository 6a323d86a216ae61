"""The client's address, also behind a reverse proxy (R-SEC login throttling, R-AUD audit trail).

gunicorn sets REMOTE_ADDR to the socket peer: behind nginx that is nginx itself (127.0.0.1) for every
request. ``settings.KEFU_TRUSTED_PROXIES`` names the proxies (IPs or CIDR networks) whose
``X-Forwarded-For`` is believed. Only when REMOTE_ADDR is one of them is the header read, from the right:
each trusted proxy appends the address it received the request from, so the right-most address that is not
itself a trusted proxy is the client. Anything further left was written by the client and can be forged.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _parse(value: str | None) -> IPAddress | None:
    """The address in ``value`` (IPv4-mapped IPv6 as IPv4), or None when it is not a bare IP address."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, normalised (``2001:DB8:0::1`` → ``2001:db8::1``), or None when unknown.

    X-Forwarded-For is read only when REMOTE_ADDR is a trusted proxy; the client is then the right-most
    entry that is not a trusted proxy (when all are, the left-most). A malformed entry met on that walk
    stops it: the answer is REMOTE_ADDR, since nothing beyond the bad entry can be attributed reliably.
    """
    if request is None:
        return None
    remote = _parse(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return None  # no peer address (e.g. a unix socket): unknown, like a request without one
    networks = _networks(tuple(getattr(settings, "KEFU_TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = remote
    for entry in reversed(header.split(",")) if header.strip() else ():
        address = _parse(entry)
        if address is None:
            return str(remote)
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
