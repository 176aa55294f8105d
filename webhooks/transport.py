"""Signing and posting a webhook with the standard library, to public addresses only.

A partner chooses the URL, so the server must not become a way into its own network: only http(s)
URLs, and unless BAQYLAU_WEBHOOK_ALLOW_PRIVATE_HOSTS is on, no host that resolves to a loopback,
private, link-local, site-local, reserved or otherwise non-public address, nor to an IPv6 address
that wraps such an IPv4 address (NAT64, 6to4, Teredo, IPv4-compatible). The check runs at
registration and again on every send, on the very addresses the connection then uses, so a name
that later resolves elsewhere is caught. No proxy from the environment and no redirect is
followed: a 3xx is a failure.
"""

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from core.signing import signature

SCHEMES = ("http", "https")
USER_AGENT = "Baqylau-Webhooks/1"
ERROR_LENGTH = 200


class RefusedAddress(OSError):
    """The host resolves to an address webhooks may not reach."""


# IPv6 prefixes whose addresses carry an IPv4 address in their last 32 bits: NAT64 (RFC 6052, and
# the local-use prefix of RFC 8215) and the deprecated IPv4-compatible form ::a.b.c.d. A gateway
# or an operating system may route them to that IPv4 address, so it is that address which counts.
IPV4_IN_LAST_32_BITS = tuple(
    ipaddress.ip_network(prefix) for prefix in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96")
)


def _wrapped_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for: mapped, 6to4, Teredo, NAT64, compatible."""
    wrapped = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in network for network in IPV4_IN_LAST_32_BITS):
        wrapped.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in wrapped if address is not None]


def _global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # Site-local fec0::/10 is deprecated but still routed inside some networks; Python counts it global.
    site_local = isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local
    return ip.is_global and not ip.is_multicast and not site_local


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is that IPv4 address and nothing else
            return _global(ip.ipv4_mapped)
        if not all(_global(inner) for inner in _wrapped_ipv4(ip)):
            return False
    return _global(ip)


def resolve(host: str, port: int) -> list[tuple]:
    """The addresses to connect to, all of them allowed, or RefusedAddress."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:
        raise RefusedAddress(_("The host %(host)s could not be resolved.") % {"host": host}) from exc
    if not settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        for *_rest, sockaddr in infos:
            if not is_public(sockaddr[0]):
                raise RefusedAddress(
                    _("The host %(host)s resolves to a private or reserved address.") % {"host": host}
                )
    return infos


def url_problem(url: str) -> str | None:
    """Why webhooks may not be sent to `url`, or None when they may."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return _("This is not a valid URL.")
    if parts.scheme not in SCHEMES or not parts.hostname:
        return _("The URL must start with http:// or https:// and name a host.")
    if parts.username or parts.password:
        return _("The URL must not contain a user name or password.")
    try:
        URLValidator(schemes=SCHEMES)(url)
    except ValidationError:
        return _("This is not a valid URL.")
    try:
        resolve(parts.hostname, port)
    except RefusedAddress as exc:
        return str(exc)
    return None


def guarded_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
    """socket.create_connection, but only to addresses that `resolve` allowed."""
    host, port = address
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in resolve(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(_("No address to connect to."))


class GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = guarded_connection


class GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = guarded_connection


class GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(GuardedHTTPConnection, req)


class GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(GuardedHTTPSConnection, req, context=self._context)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), GuardedHTTPHandler(), GuardedHTTPSHandler(), NoRedirect()
    )


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(*, url: str, secret: str, event_type: str, event_id: str, body: bytes) -> Outcome:
    """POST the signed body once; never raises for what the receiver or the network does."""
    problem = url_problem(url)
    if problem:
        return Outcome(None, problem[:ERROR_LENGTH])
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Baqylau-Event": event_type,
        "X-Baqylau-Delivery": event_id,
        "X-Baqylau-Timestamp": timestamp,
        "X-Baqylau-Signature": signature(secret, timestamp, body),
    }
    # url_problem admitted only http and https.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with opener().open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return Outcome(response.status, "")
    except urllib.error.HTTPError as exc:
        exc.close()
        return Outcome(exc.code, f"HTTP {exc.code}")
    except urllib.error.URLError as exc:
        return Outcome(None, _short(exc.reason))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Outcome(None, _short(exc))


def _short(reason) -> str:
    text = str(reason) or type(reason).__name__
    if isinstance(reason, TimeoutError | socket.timeout):
        text = _("No answer within %(seconds)s s.") % {"seconds": settings.WEBHOOK_TIMEOUT_SECONDS}
    return text[:ERROR_LENGTH]
