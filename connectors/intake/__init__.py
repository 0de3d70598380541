"""Durable webhook intake: dedup + Redis stream + per-conversation ordered consumer.

* ``keys``: the one place that builds Redis key names under ``REDIS_KEY_PREFIX``.
* ``queue``: ``IntakeQueue.enqueue`` (dedup, XADD, per-conversation pending list; one Lua
  script per event) and ``record_standby``.
* ``consumer``: ``StreamConsumer`` (consumer group, reclaim, ordering, dead letters).
* ``settings``/``runtime``/``webhook``/``turns``: the shell the Rasa channels share.
"""
