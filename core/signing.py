"""The HMAC signature of what Baqylau posts to a receiver's URL: partners' webhooks (webhooks/) and
the emergency contacts' alerts (outreach/) are signed alike, so one receiver's code checks both."""

import hashlib
import hmac


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>", as a receiver recomputes it."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
