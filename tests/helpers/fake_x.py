"""Recording fake of the X API v2 DM and post endpoints on 127.0.0.1, with an OAuth 1.0a
check written with the standard library only (independent of oauthlib)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import web

from tests.helpers.fake_server import FakeServer, RecordedRequest

__all__ = ["FakeXAPI", "parse_oauth_header", "oauth1_signature"]


def _pct(value: str) -> str:
    return quote(value, safe="-._~")


def parse_oauth_header(header: str) -> dict[str, str]:
    """``Authorization: OAuth k="v", ...`` -> decoded ``{k: v}`` (empty when not OAuth)."""
    if not header.startswith("OAuth "):
        return {}
    return {k: unquote(v) for k, v in re.findall(r'([A-Za-z0-9_]+)="([^"]*)"', header[len("OAuth "):])}


def oauth1_signature(method: str, base_url: str, params: dict[str, str],
                     consumer_secret: str, token_secret: str) -> str:
    """HMAC-SHA1 OAuth 1.0a signature (RFC 5849 3.4), standard library only.

    ``params`` are the query/form and ``oauth_*`` parameters except ``oauth_signature``.
    """
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_pct(k), _pct(v)) for k, v in params.items()))
    base = "&".join((method.upper(), _pct(base_url), _pct(normalized)))
    key = f"{_pct(consumer_secret)}&{_pct(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()


class FakeXAPI(FakeServer):
    """``POST /2/dm_conversations/with/{participant_id}/messages`` and ``POST /2/tweets``.

    ``credentials``: ``{consumer_key: (consumer_secret, access_token, token_secret)}``;
    when given, signatures are verified and unknown keys refused with 401.
    """

    def __init__(self, credentials: dict[str, tuple[str, str, str]] | None = None,
                 own_user_id: str = "1072250532645998596") -> None:
        super().__init__()
        self.credentials = credentials or {}
        self.own_user_id = own_user_id
        self.nonces: set[str] = set()

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2/dm_conversations/with/{participant_id}/messages", self._dm)
        app.router.add_post("/2/tweets", self._tweet)
        return app

    def _error_body(self, status: int) -> Any:
        if status == 429:
            return {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
        return {"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank",
                "status": status}

    @staticmethod
    def _invalid(detail: str) -> dict:
        return {"errors": [{"message": detail}], "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request"}

    def _unauthorized(self, record: RecordedRequest) -> web.Response:
        return self._answer(record, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                     "detail": "Unauthorized"}, 401)

    def _check_auth(self, request: web.Request, record: RecordedRequest) -> bool:
        header = request.headers.get("Authorization", "")
        oauth = parse_oauth_header(header)
        required = ("oauth_consumer_key", "oauth_signature", "oauth_nonce", "oauth_timestamp", "oauth_token")
        if not all(oauth.get(name) for name in required) or oauth.get("oauth_signature_method") != "HMAC-SHA1":
            return False
        if not oauth["oauth_timestamp"].isdigit() or abs(int(oauth["oauth_timestamp"]) - time.time()) > 300:
            return False
        if oauth["oauth_nonce"] in self.nonces:
            return False
        self.nonces.add(oauth["oauth_nonce"])
        if self.credentials:
            known = self.credentials.get(oauth["oauth_consumer_key"])
            if known is None or known[1] != oauth["oauth_token"]:
                return False
            params = {k: v for k, v in oauth.items() if k != "oauth_signature" and k != "realm"}
            params.update(record.query)
            base_url = f"http://{request.host}{request.raw_path.split('?')[0]}"
            expected = oauth1_signature(request.method, base_url, params, known[0], known[2])
            if not hmac.compare_digest(expected, oauth["oauth_signature"]):
                return False
        return True

    async def _guarded(self, request: web.Request) -> tuple[RecordedRequest, web.Response | None]:
        record = await self._record(request)
        faulted = await self._maybe_fault(record)
        if faulted is not None:
            return record, faulted
        if not self._check_auth(request, record):
            return record, self._unauthorized(record)
        if not request.headers.get("Content-Type", "").startswith("application/json") or not isinstance(record.json, dict):
            return record, self._answer(record, self._invalid("body must be a JSON object"), 400)
        return record, None

    async def _dm(self, request: web.Request) -> web.Response:
        record, answered = await self._guarded(request)
        if answered is not None:
            return answered
        participant = request.match_info["participant_id"]
        body = record.json
        if not re.fullmatch(r"[0-9]{1,19}", participant):
            return self._answer(record, self._invalid("participant_id is invalid"), 400)
        if set(body) - {"text", "attachments"}:
            return self._answer(record, self._invalid("additional properties are not allowed"), 400)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 10_000:
            return self._answer(record, self._invalid("text must be 1 to 10000 characters"), 400)
        data = {"dm_conversation_id": f"{participant}-{self.own_user_id}",
                "dm_event_id": str(1585800613253812228 + next(self._ids))}
        return self._answer(record, {"data": data}, 201)

    async def _tweet(self, request: web.Request) -> web.Response:
        record, answered = await self._guarded(request)
        if answered is not None:
            return answered
        body = record.json
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 280:
            return self._answer(record, self._invalid("text must be 1 to 280 characters"), 400)
        reply = body.get("reply")
        if reply is not None:
            if not isinstance(reply, dict) or not re.fullmatch(r"[0-9]{1,19}", str(reply.get("in_reply_to_tweet_id", ""))):
                return self._answer(record, self._invalid("reply.in_reply_to_tweet_id is invalid"), 400)
        data = {"id": str(1456012973835788293 + next(self._ids)), "text": text}
        return self._answer(record, {"data": data}, 201)
