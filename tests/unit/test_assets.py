"""Static files are linked by a name that changes with their content, through one helper."""

from __future__ import annotations

import re
from pathlib import Path

from popup_tierslieu.web import assets

TEMPLATES = Path(assets.__file__).parent / "templates"


def test_a_changed_file_gets_a_new_url_and_the_old_one_is_gone(tmp_path):
    (tmp_path / "style.css").write_text("body { color: black; }")
    before = assets.Assets(tmp_path)
    old_url = before.url("style.css")
    assert re.fullmatch(r"/static/style\.[0-9a-f]{10}\.css", old_url)
    assert assets.Assets(tmp_path).url("style.css") == old_url  # same content, same name

    (tmp_path / "style.css").write_text("body { color: navy; }")
    after = assets.Assets(tmp_path)
    new_url = after.url("style.css")
    assert new_url != old_url
    assert after.hashed[new_url.rsplit("/", 1)[1]].body == b"body { color: navy; }"
    assert old_url.rsplit("/", 1)[1] not in after.hashed


def test_templates_link_static_files_through_the_helper():
    literal = [f"{path.name}: {line.strip()}" for path in sorted(TEMPLATES.glob("*.html"))
               for line in path.read_text(encoding="utf-8").splitlines()
               if re.search(r'(?:href|src)="/static/', line)]
    assert literal == [], "use {{ static_url('name') }}: " + "; ".join(literal)
