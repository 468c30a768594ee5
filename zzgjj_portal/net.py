"""Where a request comes from."""

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(value: str | None) -> IPAddress | None:
    """`value` as an IP address, accepting the forms proxies write
    (`1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:443`); None for anything else
    (`not-an-ip`, `<script>`, empty)."""
    value = (value or "").strip()
    if not value or len(value) > 64:
        return None
    candidates = [value]
    if value.startswith("[") and "]" in value:
        candidates.append(value[1 : value.index("]")])  # [IPv6]:port
    elif value.count(":") == 1:
        candidates.append(value.split(":", 1)[0])  # IPv4:port
    for candidate in candidates:
        try:
            ip = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        # An IPv4 client seen through an IPv6 socket is the same client.
        mapped = getattr(ip, "ipv4_mapped", None)
        return mapped or ip
    return None


@cache
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(ip: IPAddress) -> bool:
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, never raising.

    REMOTE_ADDR is the connection's address. X-Forwarded-For counts only
    when that connection comes from one of TRUSTED_PROXIES (our reverse
    proxy): then the client is the rightmost address in the header that is
    not itself a trusted proxy. Anyone else can write the header, so it is
    ignored for them; a value that is not an IP address is never used (the
    connection's address is)."""
    remote = parse_ip(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return None
    if not settings.TRUSTED_PROXIES or not _is_trusted(remote):
        return str(remote)
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for part in reversed(forwarded):
        ip = parse_ip(part)
        if ip is None:
            return str(remote)
        if not _is_trusted(ip):
            return str(ip)
    return str(remote)


def is_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the connection itself comes from one of TRUSTED_PROXIES (our
    reverse proxy), so that headers only the proxy sets may be believed."""
    remote = parse_ip(request.META.get("REMOTE_ADDR"))
    return remote is not None and bool(settings.TRUSTED_PROXIES) and _is_trusted(remote)
