"""Meta's data-deletion callback on the Messenger channel's blueprint (``/webhooks/facebook``):

* ``POST /deletion``: form field ``signed_request`` verified with the app secret
  (`connectors.facebook.deletion`, 403 when it fails), the erasure of that app-scoped
  user id recorded (`connectors.intake.erasures`, 503 when Redis is down), then
  ``{"url": <status page>, "confirmation_code": <code>}``.
* ``GET /deletion/status?code=<code>``: ``{"confirmation_code", "status"}`` (``pending``
  until `socialcare run` / `socialcare forget --requests` has carried it out, then
  ``done``); 404 for an unknown code. No personal data in either answer or in the logs.

The erasure itself needs the handoff's keys too, which this layer may not import: the
request is recorded here and carried out by `handoff.erasure_run.process_requests`.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from connectors.events import FACEBOOK
from connectors.facebook.deletion import parse_signed_request, status_url
from connectors.intake import webhook
from connectors.intake.erasures import ErasureRequests

__all__ = ["add_deletion_routes"]

logger = logging.getLogger(__name__)

_CODE = re.compile(r"[0-9a-f]{8,64}")


def add_deletion_routes(bp: Blueprint, channel: Any) -> None:
    """Add the two routes to ``bp``; ``channel`` is the `MessengerInput` (settings,
    ``runtime.redis``/``runtime.keys`` on Sanic's loop, ``deletion_base``)."""

    @bp.route("/deletion", methods=["POST"], name="facebook_deletion")
    async def deletion(request: Request) -> HTTPResponse:
        if not channel.configured:
            return channel._off()
        try:
            user_id = parse_signed_request(request.form.get("signed_request"), channel.settings.app_secret)
        except Exception as exc:
            status, code = webhook.status_for(exc)
            logger.warning("messenger.deletion_refused status=%s error=%s", status, type(exc).__name__)
            return webhook.error(status if status >= 500 else 403, code if status >= 500 else "invalid_signed_request")
        redis = channel.runtime.redis
        if redis is None:
            return webhook.error(503, "intake_unavailable")
        try:
            code = await ErasureRequests(redis, channel.runtime.keys).request(FACEBOOK, user_id, "meta_callback")
        except Exception as exc:  # Redis down: no confirmation, Meta calls again
            logger.error("messenger.deletion_unrecorded error=%s", type(exc).__name__)
            return webhook.error(503, "intake_unavailable")
        base = channel.deletion_base or f"{request.scheme}://{request.host}{request.path}/status"
        logger.info("messenger.deletion_recorded code=%s", code)
        return response.json({"url": status_url(base, code), "confirmation_code": code})

    @bp.route("/deletion/status", methods=["GET"], name="facebook_deletion_status")
    async def deletion_status(request: Request) -> HTTPResponse:
        if not channel.configured:
            return channel._off()
        code = request.args.get("code") or ""
        redis = channel.runtime.redis
        if not _CODE.fullmatch(code):
            return webhook.error(404, "unknown_code")
        if redis is None:
            return webhook.error(503, "intake_unavailable")
        try:
            status = await ErasureRequests(redis, channel.runtime.keys).status(code)
        except Exception as exc:
            logger.error("messenger.deletion_status_failed error=%s", type(exc).__name__)
            return webhook.error(503, "intake_unavailable")
        if status is None:
            return webhook.error(404, "unknown_code")
        return response.json({"confirmation_code": code, "status": status.get("status", "pending")})

