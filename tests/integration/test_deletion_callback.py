"""Meta's data-deletion callback over real HTTP on the Messenger channel: a signed request
is verified, recorded, answered with a status URL and a code, and carried out by the
handoff's request processor; anything unverifiable is refused with 403 and records nothing."""
from __future__ import annotations

import json

import pytest
import pytest_asyncio

from connectors.facebook.deletion import sign_request
from handoff.erasure_run import process_requests
from tests.helpers.channel_stack import APP_SECRET, KEYS, PREFIX, PSID, messenger_body, open_stack
from tests.helpers.intake_helpers import wait_until

pytestmark = [pytest.mark.integration]


@pytest_asyncio.fixture
async def stack(tmp_path):
    async with open_stack(tmp_path) as result:
        yield result


async def post_deletion(stack, signed_request):
    data = {} if signed_request is None else {"signed_request": signed_request}
    async with stack.http.post(f"{stack.server.url}/webhooks/facebook/deletion", data=data) as response:
        return response.status, await response.json()


async def status_of(stack, code: str):
    async with stack.http.get(f"{stack.server.url}/webhooks/facebook/deletion/status",
                              params={"code": code}) as response:
        return response.status, await response.json()


async def keys_naming(stack, needle: str) -> list:
    r = stack.redis.client
    found = []
    async for key in r.scan_iter(match=f"{PREFIX}:*"):
        kind = await r.type(key)
        value = (await r.get(key) if kind == "string" else await r.xrange(key) if kind == "stream"
                 else await r.lrange(key, 0, -1) if kind == "list" else await r.zrange(key, 0, -1))
        if needle in key or needle in json.dumps(value, default=str):
            found.append(key)
    return found


@pytest.mark.asyncio
async def test_signed_deletion_request_is_confirmed_and_carried_out(stack):
    assert (await stack.post("facebook", messenger_body("my booking is ABC123"))).status == 200
    await wait_until(lambda: stack.rasa.texts(PSID) == ["my booking is ABC123"], message="turn handled")

    async def delivered() -> bool:  # the outbox sender is done with the conversation (no lease)
        return await stack.drained() and not await stack.redis.client.exists(KEYS.outbox_lease("facebook", PSID))

    await wait_until(delivered, message="reply delivered")
    await stack.redis.client.set(KEYS.tracker(PSID), json.dumps({"name": PSID, "events": []}))
    await stack.redis.client.set(KEYS.tracker("other-psid"), json.dumps({"name": "other-psid", "events": []}))
    assert await keys_naming(stack, PSID)

    status, body = await post_deletion(stack, sign_request({"algorithm": "HMAC-SHA256", "user_id": PSID,
                                                            "issued_at": 1717000000}, APP_SECRET))
    assert status == 200 and set(body) == {"url", "confirmation_code"}
    code = body["confirmation_code"]
    assert body["url"].endswith(f"/webhooks/facebook/deletion/status?code={code}")
    assert await status_of(stack, code) == (200, {"confirmation_code": code, "status": "pending"})

    assert await process_requests(stack.redis.client, PREFIX) == 1
    assert await status_of(stack, code) == (200, {"confirmation_code": code, "status": "done"})
    assert await keys_naming(stack, PSID) == []
    assert await stack.redis.client.get(KEYS.tracker("other-psid")) is not None


@pytest.mark.asyncio
@pytest.mark.parametrize("signed", [
    None,
    "",
    "not-a-signed-request",
    sign_request({"algorithm": "HMAC-SHA256", "user_id": PSID}, "another-secret"),
    sign_request({"algorithm": "HMAC-SHA1", "user_id": PSID}, APP_SECRET),
    sign_request({"algorithm": "HMAC-SHA256"}, APP_SECRET),
    sign_request({"algorithm": "HMAC-SHA256", "user_id": PSID}, APP_SECRET) + "x",
    "a.b.c",
])
async def test_unverifiable_deletion_requests_are_refused_and_record_nothing(stack, signed):
    status, body = await post_deletion(stack, signed)
    assert status == 403 and body == {"error": "invalid_signed_request"}
    assert await stack.redis.client.xlen(KEYS.erasure_requests()) == 0


@pytest.mark.asyncio
async def test_unknown_or_malformed_status_codes_are_404(stack):
    assert (await status_of(stack, "0123456789abcdef"))[0] == 404
    assert (await status_of(stack, "../../etc"))[0] == 404
