"""The replies of one turn as data, and what to do after one send (pure).

During a consumer turn the platform output channels do not send: they ``record`` each
reply into the turn's ``TurnReplies`` (found through the context variable ``CURRENT``,
set by the stream consumer around the handler). When the turn finishes, the consumer
appends the encoded replies to the conversation's outbox together with the intake ack
(one Lua script), and the outbox sender delivers them (``connectors.outbox.sender``).

A reply's id is ``{entry id}:{index}``: the same for a re-run of the same turn, so a
re-run never records or sends a reply twice. Typing indicators are never recorded.

``next_step`` maps the outcome of one send to the sender's next step:

* ``sent``: mark it sent, go on with the next reply;
* ``wait``: rate limited (429, Retry-After / x-rate-limit-reset): keep it and try again
  after the reset, however long (nothing is dropped);
* ``retry``: the platform refused it for now (5xx, transient code, no connection):
  try again with backoff, up to ``max_attempts`` tries, then ``dead``;
* ``unknown``: a timeout or a dropped connection after the request went out: the
  platform may have accepted it; never resent automatically, dead-lettered for a person;
* ``dead``: a final refusal (window closed, permission, bad request): dead-lettered.
"""
from __future__ import annotations

import contextvars
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Awaitable, Callable, Optional

from connectors.http import (
    OutsideMessagingWindow,
    PlatformError,
    RateLimited,
    ThreadControlledByOtherApp,
    may_have_been_sent,
)

__all__ = ["Reply", "TurnReplies", "CURRENT", "current", "Step", "next_step", "Delivery",
           "encode", "decode", "retry_wait", "refusal_counter"]

# Delivers one reply, resuming after ``parts_done`` parts; raises ``PlatformError``.
Delivery = Callable[["Reply", int], Awaitable[None]]


@dataclass(frozen=True)
class Reply:
    """One message to send: ``op`` names the send (``send_text``, ``send_buttons``,
    ``send_dm``, ``reply_to_tweet``, ``dm_notice``), ``body`` holds its arguments."""

    reply_id: str
    platform: str
    thread: str
    op: str
    recipient: str
    body: dict[str, Any] = field(default_factory=dict)


def encode(reply: Reply) -> str:
    """The reply as a JSON document (with a version) for the outbox list."""
    return json.dumps({"v": 1, **asdict(reply)}, ensure_ascii=False, separators=(",", ":"))


def decode(raw: str) -> Reply:
    """A reply from its outbox document; ``ValueError`` when it is not one."""
    document = json.loads(raw)
    if not isinstance(document, dict) or document.get("v") != 1:
        raise ValueError("not an outbox reply")
    return Reply(str(document["reply_id"]), str(document["platform"]), str(document["thread"]),
                 str(document["op"]), str(document["recipient"]), dict(document.get("body") or {}))


class TurnReplies:
    """The replies of one turn, in the order the bot gave them, and the delivery that
    can send them (bound by the output channel that recorded them)."""

    def __init__(self, platform: str, thread: str, entry_id: str) -> None:
        self.platform = platform
        self.thread = thread
        self.entry_id = entry_id
        self.replies: list[Reply] = []
        self.delivery: Optional[Delivery] = None

    def record(self, op: str, recipient: str, body: dict[str, Any], delivery: Delivery) -> Reply:
        """Add one reply; returns it (its id is ``{entry id}:{index}``)."""
        reply = Reply(f"{self.entry_id}:{len(self.replies)}", self.platform, self.thread, op,
                      recipient, body)
        self.replies.append(reply)
        self.delivery = delivery
        return reply

    def encoded(self) -> list[str]:
        """Every reply as an outbox document, in order."""
        return [encode(reply) for reply in self.replies]


CURRENT: "contextvars.ContextVar[TurnReplies | None]" = contextvars.ContextVar(
    "socialcare_turn_replies", default=None)


def current(platform: str) -> TurnReplies | None:
    """The running turn's collector when this task runs a consumer turn of ``platform``."""
    replies = CURRENT.get()
    return replies if replies is not None and replies.platform == platform else None


@dataclass(frozen=True)
class Step:
    """What the sender does next: ``action`` (see the module docstring), the wait in
    seconds for ``wait``/``retry``, the reason for ``unknown``/``dead``."""

    action: str
    wait_s: float = 0.0
    reason: str = ""


def retry_wait(attempt: int, base_s: float = 1.0, cap_s: float = 300.0) -> float:
    """Backoff before retry number ``attempt`` (1-based): ``base * 2**(attempt-1)``, capped."""
    return min(cap_s, base_s * (2 ** min(max(attempt - 1, 0), 20)))


def next_step(error: BaseException | None, attempts: int, *, max_attempts: int = 12,
              default_wait_s: float = 60.0) -> Step:
    """The sender's next step after a send that raised ``error`` (``None``: it was sent);
    ``attempts`` counts the failed tries of this reply so far, this one included."""
    if error is None:
        return Step("sent")
    if may_have_been_sent(error):
        return Step("unknown", reason=f"send_outcome_unknown:{getattr(error, 'code', '')}")
    if isinstance(error, RateLimited):
        wait = error.retry_after if error.retry_after is not None else default_wait_s
        return Step("wait", max(0.0, float(wait)), "rate_limited")
    if isinstance(error, PlatformError):
        if error.retryable and attempts < max_attempts:
            return Step("retry", retry_wait(attempts), f"retryable:{error.status}:{error.code}")
        return Step("dead", reason=f"{type(error).__name__}:{error.status}:{error.code}"[:120])
    if isinstance(error, ValueError):
        return Step("dead", reason="invalid_message")
    if attempts < max_attempts:
        return Step("retry", retry_wait(attempts), f"error:{type(error).__name__}")
    return Step("dead", reason=f"error:{type(error).__name__}")


def refusal_counter(error: BaseException | None) -> str:
    """The counter of a final refusal, named as the direct sends name it (``outside_window``,
    ``thread_owned_by_other_app``, ``invalid_message``, ``send_failed``)."""
    if isinstance(error, OutsideMessagingWindow):
        return "outside_window"
    if isinstance(error, ThreadControlledByOtherApp):
        return "thread_owned_by_other_app"
    if isinstance(error, ValueError):
        return "invalid_message"
    return "send_failed"
