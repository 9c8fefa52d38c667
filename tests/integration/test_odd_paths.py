"""Odd paths are a 404, never a 500; the server's log is private and holds no pass token
nor bearer value."""

from __future__ import annotations

import logging

import httpx

from popup_tierslieu.server import prepare_folder, setup_logging


def test_the_static_handler_answers_404_for_a_folder_or_a_nul_byte(server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for path in ("/static/", "/static/%00", "/static/style.css%00", "/%00",
                     "/static/nothing-here.css"):
            answer = http.get(path)
            assert answer.status_code == 404, (path, answer.status_code)
        assert http.get("/static/style.css").status_code == 200
        assert http.get("/api/v1/health").status_code == 200
    server.stop()
    log = (server.data_dir / "logs" / "server.log").read_text()
    assert "unhandled error" not in log


def test_the_log_is_0600_and_never_holds_a_pass_token_or_a_bearer_value(tmp_path):
    token = "Zk3x9QpL2mN8vR4tY6wB1c"
    prepare_folder(tmp_path)
    root = logging.getLogger()
    handlers = list(root.handlers)
    setup_logging(tmp_path)
    try:
        try:
            raise ValueError(f"cannot render /pass/{token}/seats")
        except ValueError:
            logging.getLogger("popup.web").exception("unhandled error on GET /pass/%s", token)
        logging.getLogger("popup.web").error("refused Authorization: Bearer %s", token)
        logging.getLogger("popup.web").error("scan of /c/%s", token)
    finally:
        for handler in root.handlers[len(handlers):]:
            handler.close()
            root.removeHandler(handler)
    path = tmp_path / "logs" / "server.log"
    text = path.read_text()
    assert "unhandled error on GET /pass/…" in text and "Bearer …" in text
    assert token not in text
    assert path.stat().st_mode & 0o777 == 0o600
