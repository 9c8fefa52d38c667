"""Swap matching benchmark: how long the matcher takes as the board fills, and what a
pass page pays for its "people who could help you" once the board is matched.

Builds boards of 100 to 1,000 posts (half offers, half requests) from the French
fixture of tests/unit/test_swap_matching.py, each post a title from one fixture post
and a description from another, so the board has the variety of a real one; then
prints, per size, the time of a full match (every offer against every request) and
of one ``swap.matches`` call on an unchanged board (what each pass render costs).

Run: /work/venv/bin/python bench/swap_matching.py
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from popup_tierslieu import domain  # noqa: E402
from popup_tierslieu.domain import swap  # noqa: E402
from popup_tierslieu.store import Store  # noqa: E402
from tests.unit.test_swap_matching import PAIRS  # noqa: E402


def board(size: int, rng: random.Random) -> list[dict]:
    texts = [(cat, kind, text) for cat, offer, request in PAIRS
             for kind, text in (("offer", offer), ("request", request))]
    posts = []
    for n in range(1, size + 1):
        cat, kind, (title, _, tags) = rng.choice(texts)
        _, _, (_, description, _) = rng.choice(texts)
        posts.append({"id": n, "participant_id": n, "kind": "offer" if n % 2 else "request",
                      "title": title, "description": description, "category": cat,
                      "tags": tags, "status": "open", "hidden": False,
                      "updated_at": "2026-06-12T10:00:00+00:00"})
    return posts


def main() -> None:
    rng = random.Random(2026)
    swap.keys(" ".join(text for pair in PAIRS for part in pair[1:] for text in part[:2]))
    print(f"{'posts':>6} {'pairs':>7} {'full match':>11} {'pass render':>12}")
    for size in (100, 200, 500, 1000):
        posts = board(size, rng)
        start = time.perf_counter()
        pairs = swap.Matcher(posts).pairs()
        full = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as folder, Store.open(
                folder, indexes=domain.INDEXES) as store:
            for post in posts:
                store.insert("swap_posts", {k: v for k, v in post.items() if k != "id"})
            swap.matches(store, 2)  # matches the board once
            start = time.perf_counter()
            for participant in range(1, 51):
                swap.matches(store, participant)
            render = (time.perf_counter() - start) / 50
        print(f"{size:>6} {len(pairs):>7} {full * 1000:>9.1f} ms {render * 1000:>9.2f} ms")


if __name__ == "__main__":
    main()
