"""Recording fakes of the Graph Send API and the X API v2, served on 127.0.0.1.

Each fake records every request (method, path, query, headers, JSON body, the status
it answered, a monotonic timestamp), validates requests as the real API would (limits
from platforms.md A.5-A.7 and B.5) and can be told to fail the next calls::

    async with FakeGraphAPI(page_token="tok") as graph:
        graph.fail_next(1, 429, retry_after=5)
        client = MessengerClient("tok", graph.graph_url)
        ...
        assert len(graph.successful()) == 1

The X fake checks OAuth 1.0a with its own standard-library implementation (independent
of oauthlib, which the client uses), refuses a reused nonce, and knows the credentials
it was given. Nothing here reaches beyond loopback. The pieces live in
``fake_server`` (log and faults), ``fake_graph`` and ``fake_x``.
"""
from __future__ import annotations

from tests.helpers.fake_graph import GRAPH_VERSION, FakeGraphAPI, graph_error_body, validate_send_body
from tests.helpers.fake_server import FakeServer, Fault, RecordedRequest
from tests.helpers.fake_x import FakeXAPI, oauth1_signature, parse_oauth_header

__all__ = [
    "RecordedRequest",
    "Fault",
    "FakeServer",
    "FakeGraphAPI",
    "FakeXAPI",
    "parse_oauth_header",
    "oauth1_signature",
    "GRAPH_VERSION",
    "graph_error_body",
    "validate_send_body",
]
