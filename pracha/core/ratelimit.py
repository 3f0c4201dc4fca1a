"""Fixed-window rate limits kept in the shared cache, so they hold across server processes.

A limit counts hits of one key (a client, a document...) in windows of `window_seconds` that start on
the clock's multiples of it: `hit()` counts one and says whether it is still within the limit,
`hits()` only looks. The count is made with cache.add (0 when the window's first hit comes) and
cache.incr. With Redis (required in production) incr is atomic, so the limit is exact. The database
and local-memory caches of the embedded default implement incr as a read and a write, which are not
atomic: requests racing in parallel may each read the same count, so a limit can let through as many
extra hits as there are requests in flight at once.
"""

import ipaddress
import time

from django.core.cache import cache
from django.http import HttpRequest

from pracha.core.middleware import client_ip

# How much of an IPv6 address is one client: a home or an office is given a /64, and picks any of its
# 2^64 addresses at will, so counting single addresses would limit nothing.
IPV6_CLIENT_PREFIX = 64


def _bucket(key: str, window_seconds: int) -> str:
    return f"ratelimit:{key}:{int(time.time()) // window_seconds}"


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit of `key`; True while the window's hits, this one included, are at most `limit`."""
    bucket = _bucket(key, window_seconds)
    cache.add(bucket, 0, timeout=window_seconds)
    try:
        count = cache.incr(bucket)
    except ValueError:  # the entry expired between add and incr: this is the window's first hit
        cache.set(bucket, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def hits(key: str, *, window_seconds: int) -> int:
    """The hits of `key` counted so far in the current window, counting none."""
    return int(cache.get(_bucket(key, window_seconds), 0))


def client_key(request: HttpRequest) -> str:
    """Who a request counts against: its IPv4 address, or the /64 network of its IPv6 address (an
    IPv4 address mapped into IPv6 counts as that IPv4 address). "unknown" when there is none."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False))
    return str(parsed)
