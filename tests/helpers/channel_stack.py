"""A Messenger + X channel stack for integration tests: a real Redis, the recording fake
Graph / X APIs, both channels in a Sanic app on 127.0.0.1 and a fake Rasa playing the bot."""
from __future__ import annotations

import contextlib
import copy
import json

import aiohttp

from connectors.facebook.channel import MessengerInput
from connectors.facebook.settings import MessengerSettings
from connectors.intake.keys import IntakeKeys
from connectors.intake.settings import IntakeSettings
from connectors.twitter.channel import XInput
from connectors.twitter.settings import XSettings
from core.settings import RedisSettings, RedisTarget
from tests.helpers.channel_harness import ChannelServer, FakeRasa
from tests.helpers.fake_platforms import FakeGraphAPI, FakeXAPI
from tests.helpers.fixtures import load_fixture
from tests.helpers.intake_helpers import RedisServer
from tests.helpers.signing import sign_messenger, sign_twitter

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "verify-me-please"
PAGE_TOKEN = "test-page-token"
PAGE_ID = "108412345678901"
CONSUMER_KEY = "test-consumer-key"
CONSUMER_SECRET = "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"  # platforms.md A.2 vector
ACCESS_TOKEN = "1790000000000000001-testaccesstoken"
ACCESS_SECRET = "test-access-secret"
BRAND_ID = "1790000000000000001"
CUSTOMER = "1650000000000000042"
PSID = "6012345678901234"
PREFIX = "scchan"
KEYS = IntakeKeys(PREFIX)


class Stack:
    """The running channel stack, with helpers to post signed webhooks and inspect Redis."""

    def __init__(self, redis, graph, x, fb, tw, rasa, server) -> None:
        self.redis, self.graph, self.x, self.fb, self.tw = redis, graph, x, fb, tw
        self.rasa, self.server = rasa, server
        self.http: aiohttp.ClientSession | None = None

    async def post(self, platform: str, body: bytes, *, signature: str | None = "sign",
                   headers: dict | None = None) -> aiohttp.ClientResponse:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if signature == "sign":
            if platform == "facebook":
                all_headers["X-Hub-Signature-256"] = sign_messenger(APP_SECRET, body)
            else:
                all_headers["x-twitter-webhooks-signature"] = sign_twitter(CONSUMER_SECRET, body)
        elif signature is not None:
            name = "X-Hub-Signature-256" if platform == "facebook" else "x-twitter-webhooks-signature"
            all_headers[name] = signature
        async with self.http.post(f"{self.server.url}/webhooks/{platform}/webhook", data=body,
                                  headers=all_headers) as response:
            await response.read()
            return response

    async def stream_len(self, platform: str) -> int:
        return await self.redis.client.xlen(KEYS.stream(platform))

    async def drained(self) -> bool:
        """Every accepted event has been handled and acked on both platforms."""
        for platform in ("facebook", "twitter"):
            if await self.stream_len(platform):
                return False
        return True


@contextlib.asynccontextmanager
async def open_stack(tmp_path):
    """Everything above, started; yields a ``Stack``."""
    intake = IntakeSettings(block_ms=50, claim_idle_ms=2_000, max_failures=3, concurrency=2)
    async with RedisServer(tmp_path / "redis") as redis, FakeGraphAPI(page_token=PAGE_TOKEN) as graph, \
            FakeXAPI(credentials={CONSUMER_KEY: (CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET)},
                     own_user_id=BRAND_ID) as x:
        redis_settings = RedisSettings(RedisTarget("127.0.0.1", redis.port), PREFIX, embedded=False)
        fb = MessengerInput(MessengerSettings(APP_SECRET, VERIFY_TOKEN, PAGE_TOKEN, PAGE_ID, graph.graph_url),
                            [], redis_settings, intake)
        tw = XInput(XSettings(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET, BRAND_ID, x.base_url),
                    [], redis_settings, intake)
        rasa = FakeRasa()
        async with ChannelServer([fb, tw], rasa) as server, aiohttp.ClientSession() as http:
            result = Stack(redis, graph, x, fb, tw, rasa, server)
            result.http = http
            yield result


def messenger_body(*texts: str, sender: str = PSID, prefix: str = "m_t") -> bytes:
    messaging = [{"sender": {"id": sender}, "recipient": {"id": PAGE_ID}, "timestamp": 1717000000000 + i,
                  "message": {"mid": f"{prefix}-{i}", "text": text}} for i, text in enumerate(texts)]
    return json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": 1717000000999,
                                                    "messaging": messaging}]}).encode()


def x_dm_body(event_id: str, text: str) -> bytes:
    body = copy.deepcopy(load_fixture("twitter", "dm"))
    body["direct_message_events"][0]["id"] = event_id
    body["direct_message_events"][0]["message_create"]["message_data"]["text"] = text
    return json.dumps(body).encode()
