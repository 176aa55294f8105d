"""IPv6 addresses that stand for an IPv4 address are judged by that IPv4 address, and the
deprecated site-local range is refused like any other private range."""

import pytest

from webhooks.transport import is_public, url_problem


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254, the cloud metadata service
        "64:ff9b:1::a00:1",  # local-use NAT64 (RFC 8215) of 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:c0a8:1::1",  # 6to4 of 192.168.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "::127.0.0.1",  # IPv4-compatible
        "::10.0.0.1",
        "fec0::1",  # site-local
        "fec0:1234::5",
    ],
)
def test_it_refuses_an_ipv6_form_of_a_private_address(settings, address):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    assert not is_public(address)
    assert "private or reserved" in url_problem(f"http://[{address}]/hook")


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946"],
)
def test_it_allows_an_ipv6_form_of_a_public_address(address):
    assert is_public(address)
