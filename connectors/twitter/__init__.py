"""X (Twitter) connector: pure CRC, signature verification and webhook parsing."""
from connectors.twitter.events import (
    SIGNATURE_HEADER,
    crc_response,
    parse_webhook,
    verify_signature,
)

__all__ = ["SIGNATURE_HEADER", "crc_response", "parse_webhook", "verify_signature"]
