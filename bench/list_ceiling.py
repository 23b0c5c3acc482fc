"""The ceiling for a list page: a bare Sanic route that serves the members page with one
asyncpg query and nothing else (no chain, no session, no rate limit, no ORM), served the
way Tandem is (one process). bench/run.py loads it beside Tandem's members list, so the
JSON line shows how much of the distance to the bare route is the database round trip
itself rather than Tandem.

    python bench/list_ceiling.py PORT DATABASE_URL
"""

import sys

import asyncpg
import orjson
from sanic import Sanic
from sanic.response import HTTPResponse

app = Sanic("ceiling")
PAGE = """
SELECT m.id, m.created_at, m.role_in_organization, m.status,
       u.id AS user_id, u.name, u.nickname, u.email
FROM organization_users AS m LEFT JOIN users AS u ON u.id = m.user_id
WHERE m.organization_id = $1 AND m.status = 'active' AND u.global_role IS NULL
ORDER BY m.created_at DESC, m.id DESC
LIMIT 51
"""


@app.before_server_start
async def connect(app: Sanic) -> None:
    app.ctx.pool = await asyncpg.create_pool(sys.argv[2], min_size=10, max_size=10)


@app.get("/members/<organization_id:uuid>")
async def members(request, organization_id):  # type: ignore[no-untyped-def]
    rows = await app.ctx.pool.fetch(PAGE, organization_id)
    data = [
        {
            "user_id": str(row["user_id"]),
            "name": row["name"],
            "nickname": row["nickname"],
            "email": row["email"],
            "role_in_organization": row["role_in_organization"],
            "status": row["status"],
            "joined": row["created_at"],
        }
        for row in rows[:50]
    ]
    meta = {"total_count": None, "limit": 50, "next_cursor": None}
    body = orjson.dumps({"data": data, "meta": meta}, option=orjson.OPT_UTC_Z)
    return HTTPResponse(body, content_type="application/json")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), single_process=True, access_log=False, motd=False)
