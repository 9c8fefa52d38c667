"""Concurrent mixed writes against a server that is about to die (kill -9, a power cut),
with every answer remembered, and the check of what the disk holds afterwards:
everything answered as saved is there, nothing answered as refused is, and no request
is there by half."""

from __future__ import annotations

import threading
import time

import httpx

BODY = {"profile": "Habitant·e", "commune": "Lourmarin", "consent": True, "charter": True}


def outcome(answer: httpx.Response | None, ok: int) -> str:
    """saved, refused (503: "nothing was saved") or unknown (no answer, read-only)."""
    if answer is None:
        return "unknown"
    if answer.status_code == ok:
        return "saved"
    if answer.status_code == 503 and answer.json()["error"]["code"] == "store_unavailable":
        return "refused"
    return "unknown"


class MixedLoad:
    """Two phones register, a desk checks people in, a third phone erases people who
    were checked in (a multi-document request), until ``stop``."""

    def __init__(self, url: str, token: str, prefix: str, erase: bool = True) -> None:
        self.url, self.token, self.prefix = url, token, prefix
        self.registrations: dict[str, tuple[str, dict]] = {}  # name -> (outcome, answer)
        self.checkins: dict[str, str] = {}  # participant token -> outcome
        self.erasures: dict[str, str] = {}  # participant token -> outcome
        self.answered_at: dict[tuple[str, str], float] = {}  # when each answer came
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.phone, args=(n,)) for n in range(2)]
        self.threads.append(threading.Thread(target=self.desk))
        if erase:
            self.threads.append(threading.Thread(target=self.eraser))

    def __enter__(self) -> MixedLoad:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(10)

    def post(self, http: httpx.Client, method: str, path: str, **kwargs) -> httpx.Response | None:
        try:
            return http.request(method, path, **kwargs)
        except httpx.HTTPError:
            return None

    def phone(self, number: int) -> None:
        with httpx.Client(base_url=self.url, timeout=3) as http:
            count = 0
            while not self.stopping.is_set():
                count += 1
                name = f"{self.prefix} tél {number} n°{count}"
                answer = self.post(http, "POST", "/api/v1/participants",
                                   json={**BODY, "name": name})
                with self.lock:
                    self.answered_at["registration", name] = time.monotonic()
                    self.registrations[name] = (outcome(answer, 201), answer.json()
                                                if answer is not None and answer.status_code
                                                == 201 else {})
                if answer is None:
                    return

    def _saved(self, done: dict[str, str]) -> list[str]:
        with self.lock:
            return [a["token"] for o, a in self.registrations.values()
                    if o == "saved" and a["token"] not in done]

    def desk(self) -> None:
        with httpx.Client(base_url=self.url, timeout=3,
                          headers={"Authorization": f"Bearer {self.token}"}) as http:
            while not self.stopping.is_set():
                waiting = self._saved(self.checkins)
                if not waiting:
                    time.sleep(0.005)
                    continue
                answer = self.post(http, "POST", "/api/v1/checkins", json={"token": waiting[0]})
                self.answered_at["checkin", waiting[0]] = time.monotonic()
                self.checkins[waiting[0]] = outcome(answer, 200)
                if answer is None:
                    return

    def eraser(self) -> None:
        with httpx.Client(base_url=self.url, timeout=3) as http:
            while not self.stopping.is_set():
                ready = [t for t, o in list(self.checkins.items())
                         if o == "saved" and t not in self.erasures]
                if len(ready) < 3:  # most people stay: their check-ins are checked too
                    time.sleep(0.005)
                    continue
                answer = self.post(http, "DELETE", "/api/v1/me",
                                   headers={"Authorization": f"Bearer {ready[0]}"})
                self.answered_at["erasure", ready[0]] = time.monotonic()
                self.erasures[ready[0]] = outcome(answer, 200)
                if answer is None:
                    return

    def count(self, what: str) -> int:
        return sum(1 for o, _ in self.registrations.values() if o == what)


def check(tables: dict[str, list[dict]], load: MixedLoad, cut_at: float | None = None) -> None:
    """The disk equals what was answered; an erasure is there whole or not at all.

    With ``cut_at`` (a simulated power cut), a write counts as acknowledged only if its
    answer came before the cut: after a real one nothing is answered any more, while an
    fsync that races FS_IOC_SHUTDOWN can return 0 for a commit the shutdown dropped."""
    def said(kind: str, key: str, outcome: str) -> str:
        late = cut_at is not None and load.answered_at.get((kind, key), 0) > cut_at
        return "unknown" if late and outcome == "saved" else outcome

    people = {p["name"]: p for p in tables.get("participants", [])}
    by_token = {p["token"]: p for p in people.values()}
    checked = {c["participant_id"] for c in tables.get("checkins", [])}
    erasures = {t: said("erasure", t, o) for t, o in load.erasures.items()}
    # An erasure left without an answer (the server died) may or may not be on disk.
    maybe_erased = {t for t, outcome in erasures.items() if outcome != "refused"}
    for name, (outcome, answer) in load.registrations.items():
        outcome = said("registration", name, outcome)
        if outcome == "saved" and answer["token"] not in maybe_erased:
            assert name in people, f"acknowledged registration lost: {name}"
        if outcome == "refused":
            assert name not in people, f"refused registration came back: {name}"
    for token, outcome in load.checkins.items():
        outcome = said("checkin", token, outcome)
        if outcome == "saved" and token not in maybe_erased:
            assert by_token[token]["id"] in checked, f"acknowledged check-in lost: {token}"
        if outcome == "refused":
            assert token not in by_token or by_token[token]["id"] not in checked, (
                f"refused check-in came back: {token}")
    for token, outcome in erasures.items():
        if outcome == "saved":
            assert token not in by_token, f"acknowledged erasure undone: {token}"
        if outcome == "refused":
            assert token in by_token, f"refused erasure applied: {token}"
    ids = {p["id"] for p in people.values()}
    assert checked <= ids, "half an erasure: check-ins of a person who is gone"
    names = [p["name"] for p in tables.get("participants", [])]
    assert len(names) == len(set(names)), "a registration is stored twice"
