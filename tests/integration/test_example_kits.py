"""Each example kit of kits/ runs: `popup up --headless` starts on it and the portal's
API shows its programme, in French and in English."""

from __future__ import annotations

import httpx
import pytest

from popup_tierslieu.kit import load

from ..conftest import KITS

EXAMPLES = sorted(KITS.glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_popup_up_serves_the_example_kit(make_server, path):
    kit = load(path)
    server = make_server(kit=str(path))
    with httpx.Client(base_url=server.url, timeout=10) as http:
        event = http.get("/api/v1/event", params={"lang": "fr"}).json()
        assert event["slug"] == kit.event.slug
        assert event["name"] == kit.event.name.fr
        listed = {w["id"]: w for w in event["workshops"]}
        assert set(listed) == {w.id for w in kit.workshops}
        for workshop in kit.workshops:
            shown = listed[workshop.id]
            assert shown["title"] == workshop.title.fr
            assert (shown["capacity"], shown["confirmed"], shown["waitlisted"]) == (
                workshop.capacity, 0, 0)

        english = http.get("/api/v1/event", params={"lang": "en"}).json()
        assert english["name"] == kit.event.name.en
        assert {w["title"] for w in english["workshops"]} == {
            w.title.en for w in kit.workshops}

        # A participant answers the whole survey, registers and the desk books them on the
        # first workshop (the desk, as the kit's dates may be past: a participant can no
        # longer book a workshop that is over).
        created = server.register(http, profile=kit.profiles[0], answers=answers_to(kit))
        first = kit.workshops[0].id
        booked = http.post(f"/api/v1/desk/workshops/{first}/registrations",
                           json={"participant_id": created["id"]}, headers=server.concierge)
        assert booked.status_code == 201 and booked.json()["status"] == "confirmed"
        shown = http.get("/api/v1/event").json()["workshops"]
        assert next(w for w in shown if w["id"] == first)["confirmed"] == 1


def answers_to(kit):
    answers = {}
    for q in kit.survey:
        if q.kind == "single":
            answers[q.id] = q.choices[-1].id
        elif q.kind == "multiple":
            answers[q.id] = [c.id for c in q.choices[:2]]
        elif q.kind in ("scale", "number"):
            answers[q.id] = q.max
        else:
            answers[q.id] = "Une salle calme près de l'école."
    return answers


def test_the_examples_cover_the_three_formats():
    kits = {p.stem: load(p) for p in EXAMPLES}
    assert {"forum-journee", "festival-3-jours", "cafe-village"} <= set(kits)
    assert len(kits["festival-3-jours"].event.days) == 3
    # The same talk repeated across hourly slots, as in the source study's programmes.
    titles = [w.title.fr for w in kits["festival-3-jours"].workshops]
    assert max(titles.count(t) for t in titles) >= 3
    assert any(s.kind == "fablab" for s in kits["festival-3-jours"].spaces)
    for kit in kits.values():
        measures = {q.measure for q in kit.survey}
        assert {"frequency", "services", "price", "volunteer", "commute",
                "work_mode"} <= measures, kit.source
        assert kit.charter.text.en and kit.checklist and kit.swap_categories
