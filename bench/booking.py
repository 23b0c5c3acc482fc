"""The booking benchmark (issue 12): `connections` clients creating coaching sessions for
one coach in slots that overlap, for `duration` seconds, then a count of overlapping
pairs of slots in the database (the answer must be 0: the database decides a race).

Each request asks for a one-hour session starting on a random half hour of the next 14
days (672 possible starts, each overlapping its neighbours), so after the first seconds
nearly every request is a 409; requests/s counts both answers.
"""

from __future__ import annotations

import json
from pathlib import Path

import seed  # bench/seed.py, beside this script

# a wrk script: POST /api/v1/sessions with a random slot (math.random, seeded per thread)
SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local base = {base}
math.randomseed(os.time())
request = function()
  local starts = base + 1800 * math.random(0, 671)
  local body = string.format({template}, os.date("!%Y-%m-%dT%H:%M:%SZ", starts),
                             os.date("!%Y-%m-%dT%H:%M:%SZ", starts + 3600))
  return wrk.format(nil, nil, nil, body)
end
"""


def script(directory: Path, *, mentorship_id: str, base_epoch: int) -> Path:
    """The wrk script booking slots of this mentorship from `base_epoch` on."""
    body = {
        "mentorship_id": mentorship_id,
        "title": "Bench",
        "starts_at": "%s",
        "ends_at": "%s",
        "timezone": "Europe/Paris",
    }
    template = json.dumps(json.dumps(body))  # a Lua string literal of the JSON template
    path = directory / "booking.lua"
    path.write_text(SCRIPT.format(base=base_epoch, template=template))
    return path


def sessions_created(url: str, mentorship_id: str) -> int:
    return int(
        seed.psql(url, f"SELECT count(*) FROM coaching_sessions WHERE mentorship_id = '{mentorship_id}'")
    )
