"""core.ratelimit: fixed windows counted in the cache, and who a request counts against (IPv4 address,
IPv6 /64)."""

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from pracha.core import ratelimit

# A moment on a multiple of both windows used here (60 s and 600 s).
START = 1_800_000_000.0


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The time the limiter sees; tests move it by changing clock[0]."""
    now = [START]
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now[0]))
    return now


def test_hits_are_allowed_up_to_the_limit_then_refused(clock):
    allowed = [ratelimit.hit("k", limit=3, window_seconds=60) for _ in range(5)]
    assert allowed == [True, True, True, False, False]
    assert ratelimit.hits("k", window_seconds=60) == 5


def test_looking_counts_nothing(clock):
    assert ratelimit.hits("k", window_seconds=60) == 0
    ratelimit.hit("k", limit=3, window_seconds=60)
    assert [ratelimit.hits("k", window_seconds=60) for _ in range(3)] == [1, 1, 1]


def test_each_key_has_its_own_count(clock):
    for _ in range(3):
        ratelimit.hit("a", limit=3, window_seconds=60)
    assert ratelimit.hit("a", limit=3, window_seconds=60) is False
    assert ratelimit.hit("b", limit=3, window_seconds=60) is True
    assert (ratelimit.hits("a", window_seconds=60), ratelimit.hits("b", window_seconds=60)) == (4, 1)


def test_a_new_window_starts_from_nothing(clock):
    for _ in range(4):
        ratelimit.hit("k", limit=3, window_seconds=60)
    clock[0] = START + 59
    assert ratelimit.hit("k", limit=3, window_seconds=60) is False
    clock[0] = START + 60
    assert ratelimit.hit("k", limit=3, window_seconds=60) is True
    assert ratelimit.hits("k", window_seconds=60) == 1


def test_windows_of_different_lengths_are_counted_apart(clock):
    ratelimit.hit("k", limit=3, window_seconds=60)
    assert (ratelimit.hits("k", window_seconds=60), ratelimit.hits("k", window_seconds=600)) == (1, 0)


def test_an_entry_gone_between_add_and_incr_counts_as_the_first_hit(clock, monkeypatch):
    # As when the cache evicts or expires the entry just added: incr finds nothing.
    monkeypatch.setattr(ratelimit.cache, "add", lambda *args, **kwargs: False)
    assert ratelimit.hit("k", limit=1, window_seconds=60) is True
    assert ratelimit.hits("k", window_seconds=60) == 1


def request_from(address: str, **headers: Any) -> Any:
    return RequestFactory().get("/", REMOTE_ADDR=address, **headers)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:DB8:1:3:0:0:0:9", "2001:db8:1:3::/64"),
        ("::ffff:192.0.2.10", "192.0.2.10"),
        ("", "unknown"),
        ("not an address", "unknown"),
    ],
)
def test_a_client_is_an_ipv4_address_or_an_ipv6_64(address, key):
    assert ratelimit.client_key(request_from(address)) == key


def test_the_client_is_the_proxys_x_real_ip_only_when_trusted(settings):
    request = request_from("127.0.0.1", HTTP_X_REAL_IP="2001:db8:9:9::5")
    settings.PRACHA_TRUST_X_REAL_IP = False
    assert ratelimit.client_key(request) == "127.0.0.1"
    settings.PRACHA_TRUST_X_REAL_IP = True
    assert ratelimit.client_key(request) == "2001:db8:9:9::/64"
