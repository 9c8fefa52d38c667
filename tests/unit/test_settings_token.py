"""The concierge token the server checks every desk request against, read from its file."""

from __future__ import annotations

import os

from popup_tierslieu.settings import Settings


def touch(path, step: int) -> None:
    """A new modification time, whatever the file system's clock granularity."""
    stamp = path.stat().st_mtime_ns + step * 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_an_emptied_or_garbled_token_file_keeps_the_last_token_and_a_new_one_is_taken(
        tmp_path, caplog):
    settings = Settings(tmp_path, "http://127.0.0.1:8000")
    token = tmp_path / "concierge.token"
    token.write_text("first-token-0123456789\n")
    assert settings.concierge_token() == "first-token-0123456789"
    for step, broken in enumerate((b"", b"\xff\xfe not text"), start=1):
        token.write_bytes(broken)
        touch(token, step)
        assert settings.concierge_token() == "first-token-0123456789"
        assert settings.concierge_token() == "first-token-0123456789"
    assert len([r for r in caplog.records if "concierge token" in r.getMessage()]) == 2
    token.write_text("second-token-0123456789\n")
    touch(token, 3)
    assert settings.concierge_token() == "second-token-0123456789"
