"""Custom actions of the Aurora Air assistant, one business topic per module.

The action server imports every module here; none does work at import time (the backend
and the knowledge load on first use). Start it with `python -m bot.actions.serve`, which
also loads the knowledge base and its MiniLM index in a background thread at start, so
the first customer question and the first handoff's suggested answers do not wait for
the encoder (about 5 s); `rasa run actions --actions bot.actions` still works, without
the warm-up.
"""
