"""The client's address, believing X-Forwarded-For only from proxies we were told to trust."""

from __future__ import annotations

import ipaddress
from functools import cache

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def parse_trusted(spec: str) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()
    )


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_ip(request: HTTPConnection, trusted_proxies: str) -> str:
    """Walk X-Forwarded-For from the right, skipping our own proxies: the first hop that is
    not a trusted proxy is the client. Without trusted proxies the header is ignored, since
    anyone can send it."""
    peer = request.client.host if request.client else "unknown"
    trusted = parse_trusted(trusted_proxies)
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer
