"""What a photo from a phone costs: cleaning it (decode, turn upright, shrink to
1600 px, re-encode without metadata), then the documentation export of an event.

A 12-megapixel camera JPEG (4032 x 3024, with EXIF and GPS) and a 48-megapixel one
are cleaned ``--repeat`` times each; prints the median and worst time and the size
before and after. Then ``--notes`` notes with one photo in three are exported with
``write_bundle``. Target: a 12 MP photo cleaned in under a second on the venue's
laptop (the request waits for it, in a worker thread, not on the event loop).

Run: /work/venv/bin/python bench/photos.py [--repeat 5] [--notes 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from popup_tierslieu import domain  # noqa: E402
from popup_tierslieu.domain import clock, docs, participants, photos  # noqa: E402
from popup_tierslieu.kit import KIT_COPY, default_kit  # noqa: E402
from popup_tierslieu.report.docs_bundle import write_bundle  # noqa: E402
from popup_tierslieu.store import Store  # noqa: E402


def camera_jpeg(size: tuple[int, int]) -> bytes:
    """A photo-like JPEG: noise compresses about as badly as a real scene."""
    image = Image.effect_noise((size[0] // 4, size[1] // 4), 60).convert("RGB").resize(size)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (43.0, 45.0, 30.0), 3: "E", 4: (5.0, 22.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def clean(repeat: int) -> None:
    for label, size in (("12 MP", (4032, 3024)), ("48 MP", (8064, 6048))):
        data = camera_jpeg(size)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            photo = photos.prepare(data, max_bytes=64 << 20)
            times.append(time.perf_counter() - start)
        print(f"{label} JPEG {len(data) / 1e6:.1f} MB -> {photo.width}x{photo.height} "
              f"{len(photo.data) / 1e3:.0f} kB: median {statistics.median(times) * 1000:.0f} ms,"
              f" worst {max(times) * 1000:.0f} ms")


def export(count: int) -> None:
    kit = default_kit()
    small = photos.prepare(camera_jpeg((1600, 1200)), max_bytes=8 << 20)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "event"
        with Store.open(folder, indexes=domain.INDEXES) as store:
            person = participants.register(store, kit, {
                "name": "Camille Martin", "profile": kit.profiles[0], "commune": "Lourmarin",
                "consent": True, "charter": True})
            author = docs.Author.participant(person)
            ids = [w.id for w in kit.workshops]
            first = clock.utcnow()
            for i in range(count):
                # One note a minute: the pace the rate limit allows a participant.
                when = first + dt.timedelta(minutes=i)
                note = docs.add_note(store, kit, {
                    "title": f"Note {i}", "kind": list(docs.KINDS)[i % len(docs.KINDS)],
                    "workshop_id": ids[i % len(ids)] if i % 4 else None,
                    "body": "## Bilan\n\nCe qui a **marché** et ce qui a moins marché.\n\n"
                            "- un point\n- un autre [lien](https://movilab.org)\n"}, author,
                    when)
                if i % 3 == 0:
                    docs.add_photo(store, folder, note, author, small, {}, when)
        (folder / KIT_COPY).write_text(kit.text, encoding="utf-8")
        start = time.perf_counter()
        archive = write_bundle(folder, Path(tmp) / "out")
        took = time.perf_counter() - start
        print(f"export of {count} notes and {len(range(0, count, 3))} photos: "
              f"{took * 1000:.0f} ms, zip {archive.stat().st_size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--notes", type=int, default=300)
    args = parser.parse_args()
    clean(args.repeat)
    export(args.notes)


if __name__ == "__main__":
    main()
