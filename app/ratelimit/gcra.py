"""GCRA (generic cell rate algorithm), in Redis Lua and in process memory.

A policy of `limit` requests per `period` has an emission interval T = period/limit
and lets `limit` requests through at once (tolerance tau = T * limit). Each key
stores one number, its theoretical arrival time (TAT). Several keys are checked
together and updated only if all allow, so one request costs one round trip even
when it is limited by user and by organization at once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.core.settings import RatePolicy


@dataclass(frozen=True, slots=True)
class Check:
    """One subject of one policy: a request is counted against each of its checks."""

    policy_name: str
    # who is counted: "ip:203.0.113.7", "account:<digest>", "user:<uuid>", ...
    subject: str
    policy: RatePolicy
    # whether the headers may describe it while the request is allowed: False for a
    # subject others share without seeing each other (one account over every address),
    # whose state would tell a client about someone else's requests. Named anyway when
    # it is what refused.
    disclosed: bool = True

    @property
    def key(self) -> str:
        return f"{self.policy_name}:{self.subject}"

    @property
    def interval_ms(self) -> float:
        return self.policy.period_seconds * 1000 / self.policy.limit


@dataclass(frozen=True, slots=True)
class Decision:
    """For the check that decided: the one that refused, or else the tightest disclosed
    one (any check when none is disclosed)."""

    check: Check
    allowed: bool
    limit: int
    remaining: int
    # seconds until the key is back to its full allowance
    reset_seconds: float
    # seconds to wait before a retry can succeed (0 when allowed)
    retry_after_seconds: float


# Times are milliseconds since the epoch (~1.8e12), where a double's rounding is a few
# tenths of a microsecond: `remaining` of requests a microsecond apart could floor to one
# less than it is (2.9999… → 2). A millionth of an interval absorbs that; stored times are
# written with 17 significant digits, which a double reads back exactly (tostring keeps 14).
REMAINING_SLACK = 1e-6

# KEYS: one per check; ARGV: interval_ms, limit, disclosed (0/1) for each key in order.
# Returns, for the key that refused or else the tightest disclosed one: allowed (0/1),
# its index (1-based), remaining, retry_after_ms, reset_ms. Times come from Redis, so
# all API processes share a clock.
LUA_SCRIPT = """
local REMAINING_SLACK = $slack
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local n = #KEYS
local new_tats = {}
local worst, worst_remaining, worst_retry, worst_reset, worst_disclosed = 1, nil, 0, 0, 0
local allowed = 1
for i = 1, n do
  local interval = tonumber(ARGV[3 * i - 2])
  local limit = tonumber(ARGV[3 * i - 1])
  local disclosed = tonumber(ARGV[3 * i])
  local tau = interval * limit
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - tau
  if now < allow_at then
    local retry = allow_at - now
    if allowed == 1 or retry > worst_retry then
      worst, worst_remaining, worst_retry, worst_reset = i, 0, retry, tat - now
    end
    allowed = 0
  else
    new_tats[i] = new_tat
    local remaining = math.floor((now - allow_at) / interval + REMAINING_SLACK)
    if allowed == 1 and (worst_remaining == nil or disclosed > worst_disclosed
        or (disclosed == worst_disclosed and remaining < worst_remaining)) then
      worst, worst_remaining, worst_reset, worst_disclosed = i, remaining, new_tat - now, disclosed
    end
  end
end
if allowed == 1 then
  for i = 1, n do
    -- at least 1 ms: an interval below a double's resolution at now (a limit of
    -- millions a minute) leaves new_tat == now, and PX 0 is an error
    redis.call('SET', KEYS[i], string.format('%.17g', new_tats[i]), 'PX', math.max(1, math.ceil(new_tats[i] - now)))
  end
end
return {allowed, worst, worst_remaining, tostring(worst_retry), tostring(worst_reset)}
""".replace("$slack", repr(REMAINING_SLACK))


def lua_arguments(checks: Sequence[Check]) -> list[float | int]:
    arguments: list[float | int] = []
    for check in checks:
        arguments += [check.interval_ms, check.policy.limit, int(check.disclosed)]
    return arguments


def decision_from_lua(checks: Sequence[Check], reply: Sequence[object]) -> Decision:
    allowed, index, remaining, retry_ms, reset_ms = reply
    check = checks[int(index) - 1]  # type: ignore[call-overload]
    return Decision(
        check=check,
        allowed=bool(allowed),
        limit=check.policy.limit,
        remaining=int(remaining),  # type: ignore[call-overload]
        retry_after_seconds=float(retry_ms) / 1000,  # type: ignore[arg-type]
        reset_seconds=float(reset_ms) / 1000,  # type: ignore[arg-type]
    )


class MemoryGcra:
    """The same algorithm in one process's memory (no Redis, or Redis down)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self._clock = clock
        self._tats: dict[str, float] = {}
        self._max_keys = max_keys

    def hit(self, checks: Sequence[Check]) -> Decision:
        now = self._clock() * 1000
        if len(self._tats) > self._max_keys:
            self._forget_expired(now)
        decisions: list[tuple[Decision, float | None]] = []
        for check in checks:
            interval, limit = check.interval_ms, check.policy.limit
            tat = max(self._tats.get(check.key, now), now)
            new_tat = tat + interval
            allow_at = new_tat - interval * limit
            if now < allow_at:
                decision = Decision(check, False, limit, 0, (tat - now) / 1000, (allow_at - now) / 1000)
                decisions.append((decision, None))
            else:
                remaining = math.floor((now - allow_at) / interval + REMAINING_SLACK)
                allowed = Decision(check, True, limit, remaining, (new_tat - now) / 1000, 0)
                decisions.append((allowed, new_tat))
        denied = [d for d, _ in decisions if not d.allowed]
        if denied:
            return max(denied, key=lambda d: d.retry_after_seconds)
        for check, (_, new_tat) in zip(checks, decisions, strict=True):
            self._tats[check.key] = new_tat  # type: ignore[assignment]
        return min((d for d, _ in decisions), key=lambda d: (not d.check.disclosed, d.remaining))

    def _forget_expired(self, now: float) -> None:
        for key in [key for key, tat in self._tats.items() if tat <= now]:
            del self._tats[key]
