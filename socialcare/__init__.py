"""socialcare: chatbot-assisted auto-responder for social customer care (shared core)."""

__version__ = "0.1.0"
