"""README.md is where a newcomer starts: it names every page of docs/."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_the_readme_names_every_docs_page_and_only_pages_that_exist():
    readme = (ROOT / "README.md").read_text()
    pages = {path.name for path in (ROOT / "docs").glob("*.md")}
    named = set(re.findall(r"`([a-z_-]+\.md)`", readme)) - {"README.md"}

    assert pages - named == set(), "pages the README does not name"
    assert named - pages == set(), "pages the README names that do not exist"
