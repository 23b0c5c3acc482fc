"""The docs pages render from the API alone: pinned viewer files served by us, under a
Content-Security-Policy that runs no script from anywhere else."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from urllib.parse import urlsplit

from app.docs.viewers import ASSETS_DIR, REDOC_VERSION, SWAGGER_UI_VERSION

PAGES = ("/api/v1/docs", "/api/v1/redoc")
# SHA-256 of the vendored files (app/docs/assets/README.md says where each comes from);
# updating a viewer means updating its digest here, deliberately
PINNED = {
    "swagger-ui-bundle.js": "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2",
    "swagger-ui.css": "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d",
    "redoc.standalone.js": "dcaf76612bc4a3fbcc923a8966dee2f6146a5f32e5ce1b6f02dd60cbbf89500b",
}


class References(HTMLParser):
    """What a browser would fetch for a page: scripts, stylesheets, icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self._in_script = True
            if found.get("src"):
                self.urls.append(found["src"])
        if tag == "link" and found.get("href"):
            self.urls.append(found["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def references(html: str) -> References:
    parser = References()
    parser.feed(html)
    return parser


def test_vendored_viewers_are_the_pinned_files_a_tampered_copy_fails():
    for name, digest in PINNED.items():
        assert hashlib.sha256((ASSETS_DIR / name).read_bytes()).hexdigest() == digest, name
    readme = (ASSETS_DIR / "README.md").read_text()
    assert f"swagger-ui-dist@{SWAGGER_UI_VERSION}" in readme and f"redoc@{REDOC_VERSION}" in readme


async def test_docs_pages_render_without_internet_everything_they_load_is_ours(server):
    for page in PAGES:
        response = await server.bare.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        found = references(response.text)
        scripts = [url for url in found.urls if ".js" in url]
        assert scripts, page
        for url in found.urls:
            if url.startswith("data:"):
                continue  # the empty icon: nothing to fetch
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, url  # same origin, by path
            asset = await server.bare.get(url)
            assert asset.status_code == 200, url
            expected = "text/javascript" if parts.path.endswith(".js") else "text/css"
            assert asset.headers["content-type"] == f"{expected}; charset=utf-8", url
        # no other host named anywhere on the page or in our own start-up script
        init = (ASSETS_DIR / "swagger-init.js").read_text()
        for text in (response.text, init):
            assert "http://" not in text and "https://" not in text and "//cdn" not in text


async def test_a_script_injected_into_a_docs_page_would_not_run_csp_allows_our_origin_only(server):
    for page in PAGES:
        response = await server.bare.get(page)
        policy = {
            directive.split()[0]: directive.split()[1:]
            for directive in response.headers["content-security-policy"].split(";")
        }
        assert policy["default-src"] == ["'none'"]
        assert policy["script-src"] == ["'self'"]  # no inline, no eval, no other host
        assert policy["connect-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert references(response.text).inline_scripts == [], page


async def test_assets_are_cached_for_a_year_under_urls_that_change_with_their_content(server):
    page = (await server.bare.get("/api/v1/docs")).text
    url = next(url for url in references(page).urls if "swagger-ui-bundle.js" in url)
    digest = hashlib.sha256((ASSETS_DIR / "swagger-ui-bundle.js").read_bytes()).hexdigest()
    assert url.endswith(f"?v={digest[:16]}")
    first = await server.bare.get(url)
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert first.headers["etag"] == f'"{digest}"'
    again = await server.bare.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert (await server.bare.get("/api/v1/docs")).headers["cache-control"] == "no-cache"


async def test_the_asset_route_cannot_be_walked_to_other_files(server):
    for name in (
        "README.md",
        "swagger-ui.LICENSE",
        "..%2Fviewers.py",
        "%2E%2E%2Froutes.py",
        "swagger-ui-bundle.js.map",
        "viewers.py",
    ):
        response = await server.bare.get(f"/api/v1/docs/assets/{name}")
        assert response.status_code == 404, name
        assert response.headers["content-type"] == "application/problem+json", name


async def test_private_docs_need_the_client_key_for_pages_and_assets_alike(
    make_settings, migrated_database, redis_url, start_app
):

    settings = make_settings(
        database={"url": migrated_database}, redis={"url": redis_url}, docs={"public": False}
    )
    async with start_app(settings) as live:
        for path in (*PAGES, "/api/v1/docs/assets/redoc.standalone.js"):
            assert (await live.bare.get(path)).status_code == 403, path
            assert (await live.client.get(path)).status_code == 200, path
