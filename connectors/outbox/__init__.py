"""The outbox: a turn's replies recorded with the turn's ack, delivered once each.

``replies`` (pure: the reply records, the turn's collector, the next step after a send),
``store`` (the Redis side), ``sender`` (the delivery loop on the worker loop).
"""
