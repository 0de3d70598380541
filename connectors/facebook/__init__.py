"""Facebook Messenger connector: pure webhook verification and parsing."""
from connectors.facebook.events import (
    SIGNATURE_HEADER,
    parse_webhook,
    verify_signature,
    verify_subscription,
)

__all__ = ["SIGNATURE_HEADER", "parse_webhook", "verify_signature", "verify_subscription"]
