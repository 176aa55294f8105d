"""Who may read the metrics (/metrics on a web node, the exporter of a Celery worker): whoever sends
the configured bearer token, or a client connected straight from one of the configured networks.

A request that came through a proxy (it carries X-Forwarded-For, X-Real-IP or Forwarded) is let in
by the token only: behind nginx on the same machine every visitor's address is 127.0.0.1. Anyone
else is answered 404, as if there were nothing there. Pure: config/settings.py parses its variables
with `env_networks`.
"""

import hmac
import ipaddress
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

from config.env import env_list, env_str, require

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")
MIN_TOKEN_LENGTH = 32


def env_networks(name: str, default: list[str]) -> tuple[Network, ...]:
    """Comma-separated networks in CIDR notation (10.0.0.0/8, ::1/128); a typo stops start-up."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name} must list networks such as 10.0.0.0/8 or ::1/128, not {item!r} ({exc})."
            ) from None
    return tuple(networks)


def env_address(name: str, default: str) -> str:
    """One IP address to listen on (127.0.0.1, 0.0.0.0, ::); a typo stops start-up."""
    value = env_str(name, default)
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be an IP address such as 127.0.0.1 or 10.0.0.5, not {value!r}."
        ) from None


def check_token(name: str, token: str) -> str:
    require(
        not token or len(token) >= MIN_TOKEN_LENGTH,
        f"{name} must be at least {MIN_TOKEN_LENGTH} characters long (or empty for no token).",
    )
    return token


def scrape_allowed(meta: Mapping[str, str], *, token: str, networks: tuple[Network, ...]) -> bool:
    """Whether a request with these WSGI/CGI variables may read the metrics."""
    sent = meta.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    if any(meta.get(header) for header in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(meta.get("REMOTE_ADDR", "").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)
