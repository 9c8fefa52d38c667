"""Values of the wrong type in JSON are a field error (400), never a 500."""

from __future__ import annotations

import httpx


def test_non_text_values_in_notes_and_the_log_are_field_errors(server):
    with httpx.Client(base_url=server.url, timeout=10, headers=server.concierge) as http:
        tags = http.post("/api/v1/notes", json={"title": "Bilan", "body": "Texte",
                                                "kind": "tip", "tags": [1]})
        assert tags.status_code == 400 and "tags" in tags.json()["error"]["fields"]
        name = http.post("/api/v1/notes", json={"title": "Bilan", "body": "Texte",
                                                "kind": "tip", "author_name": ["x"]})
        assert name.status_code == 400 and "author_name" in name.json()["error"]["fields"]
        log = http.post("/api/v1/journal", json={"text": 5})
        assert log.status_code == 400 and "text" in log.json()["error"]["fields"]
        popular = http.get("/api/v1/swap/popular", params={"min": "²"})
        assert popular.status_code == 200 and popular.json()["offers"] == []
