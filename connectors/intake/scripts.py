"""Lua scripts of the stream consumer (each one atomic on the Redis server).

TURN    -> 3: the entry itself is no longer in the stream: it was finished (ACK deletes
           it) after the caller read it, e.g. a pending-list read that raced with the
           turn's own ack; do not run it again;
           4: the entry was started ``max deliveries`` times and never returned (each
           start counts in KEYS[3] until ACK/DEAD deletes it; a failure that the consumer
           sees takes its start back): a poison entry that kills the process: dead-letter;
           1: the entry is the head of its conversation's pending list (run it);
           0: an older entry of the conversation is not done yet (defer);
           2: the entry is not in the list (list expired or lost): run it unordered.
           Heads whose stream entry no longer exists (trimmed, deleted) are dropped.
           On 1 and 2 the start is counted.
ACK     -> records the turn's replies in the conversation's outbox (RPUSH, once per
           entry: the ``recorded`` marker) and schedules the conversation in the due set
           (ZADD NX: a rate-limit wait already there stays), then LPOP the entry from the
           pending list when it is the head (LREM otherwise, a no-op unless the list was
           rebuilt), XACK, XDEL (the stream keeps only work not done yet), DEL the failure
           and start counters. Returns what XACK returned (0 when another consumer acked
           it first).
DEAD    -> XADD the entry to the dead-letter stream with the reason and failure count,
           then the same as ACK without replies.
KEEP    -> when the entry is still pending for this consumer, XCLAIM it to itself with
           JUSTID (resets its idle time, so no one else reclaims it while we work).
"""
from __future__ import annotations

__all__ = ["TURN", "ACK", "DEAD", "KEEP"]

# KEYS: pending, stream, starts ; ARGV: entry id, max deliveries, starts ttl
TURN = """
if #redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1]) == 0 then return 3 end
local starts = tonumber(redis.call('GET', KEYS[3]) or '0')
local function run(code)
  if starts >= tonumber(ARGV[2]) then return 4 end
  redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
  return code
end
local head = redis.call('LINDEX', KEYS[1], 0)
while head do
  if head == ARGV[1] then return run(1) end
  if #redis.call('XRANGE', KEYS[2], head, head) == 0 then
    redis.call('LPOP', KEYS[1])
    head = redis.call('LINDEX', KEYS[1], 0)
  else
    if redis.call('LPOS', KEYS[1], ARGV[1]) then return 0 end
    return run(2)
  end
end
return run(2)
"""

_FINISH = """
if redis.call('LINDEX', KEYS[1], 0) == ARGV[2] then
  redis.call('LPOP', KEYS[1])
else
  redis.call('LREM', KEYS[1], 1, ARGV[2])
end
local acked = redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[3], KEYS[4])
return acked
"""

# KEYS: pending, stream, failures, starts, outbox, due, recorded ;
# ARGV: group, entry id, now ms, recorded ttl, thread, then the encoded replies
ACK = """
if #ARGV > 5 and redis.call('SET', KEYS[7], '1', 'NX', 'EX', ARGV[4]) then
  for i = 6, #ARGV do redis.call('RPUSH', KEYS[5], ARGV[i]) end
  redis.call('ZADD', KEYS[6], 'NX', ARGV[3], ARGV[5])
end
""" + _FINISH

# KEYS: pending, stream, failures, starts, dead ; ARGV: group, entry id, dead maxlen, then
# field/value pairs for the dead-letter entry
DEAD = """
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[3], '*', unpack(fields))
""" + _FINISH

# KEYS: stream ; ARGV: group, consumer, entry id
KEEP = """
local mine = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #mine == 1 then
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
  return 1
end
return 0
"""
