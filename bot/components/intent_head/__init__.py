"""Intent classification: a linear head on the MiniLM sentence embedding."""
