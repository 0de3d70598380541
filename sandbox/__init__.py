"""Local platform sandbox: plays X and Facebook Messenger for the Rasa server.

Run it with ``python -m sandbox`` (``make run`` starts it when no real platform
credentials are set). Pieces:

* ``settings``: ``SandboxSettings`` from the environment (secrets kept out of reprs).
* ``payloads``: pure builders of the webhook bodies the platforms send.
* ``signing``: the platforms' webhook signatures (standard library only).
* ``validate``: pure checks of the Send API / X API v2 requests the clients make.
* ``state``: conversations, recorded requests and deliveries, faults and latency.
* ``delivery``: signed webhook delivery with the platforms' retry behaviour.
* ``app``: the aiohttp app factory (outbound endpoints, customer API, web page).
"""
