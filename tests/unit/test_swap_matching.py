"""The swap matcher on a French board written for this test: 30 offers, 30 requests,
each request written to fit one offer in other words (plurals, accents, derived
words), among neighbours of the same category that share some of its words."""

from __future__ import annotations

import datetime as dt

import pytest

from popup_tierslieu import domain
from popup_tierslieu.domain import swap
from popup_tierslieu.errors import Forbidden, InvalidInput, RateLimited
from popup_tierslieu.kit import default_kit
from popup_tierslieu.store import Store

KIT = default_kit(dt.date(2026, 6, 12))
NOON = dt.datetime(2026, 6, 12, 10, 0, tzinfo=dt.UTC)
NUM, GES, COM, FAB, AGR, LAN, VIE = KIT.swap_categories

# (category, offer (title, description, tags), request (title, description, tags))
PAIRS = [
    (NUM, ("Créer un site WordPress",
           "Je montre comment installer WordPress, choisir un thème et publier des pages.",
           ["wordpress", "web"]),
     ("Mon site internet sous Wordpress est cassé",
      "Les pages ne s'affichent plus après une mise à jour.", ["web"])),
    (GES, ("Tenir sa comptabilité d'auto-entrepreneur",
           "Livre des recettes, déclarations URSSAF, logiciel gratuit.", ["compta"]),
     ("Besoin d'un comptable", "Je n'arrive pas à paramétrer mon logiciel comptable.", [])),
    (GES, ("Faire ses factures et devis",
           "Modèles de facture, mentions obligatoires, numérotation.", ["facturation"]),
     ("Comment facturer un client ?",
      "Première facture à envoyer, je ne sais pas quelles mentions mettre.", ["factures"])),
    (COM, ("Animer une page Facebook",
           "Publications, photos, horaires de publication pour une association.",
           ["réseaux sociaux"]),
     ("Visibilité sur les réseaux sociaux",
      "Notre association veut se faire connaître sur Facebook et Instagram.",
      ["reseaux sociaux"])),
    (COM, ("Écrire un communiqué de presse", "Structure, accroche, envoi aux journaux locaux.",
           ["presse"]),
     ("Parler de notre projet dans le journal",
      "Comment rédiger un communiqué pour la presse locale ?", [])),
    (FAB, ("Réparer son vélo", "Crevaison, freins, dérailleur : les bases de la mécanique vélo.",
           ["vélo", "réparation"]),
     ("Mes freins de vélo grincent", "Qui peut m'aider à régler les freins ?", ["velos"])),
    (FAB, ("Initiation à l'impression 3D",
           "Modéliser une pièce simple et l'imprimer avec une imprimante 3D.", ["3d", "fablab"]),
     ("Imprimer une pièce cassée en 3D",
      "Je voudrais refaire une pièce de lave-vaisselle avec une imprimante.", ["fablab"])),
    (FAB, ("Couture : retoucher un vêtement", "Ourlets, boutons, machine à coudre.",
           ["couture"]),
     ("Raccourcir un pantalon",
      "J'ai une machine à coudre mais je ne sais pas faire un ourlet.", [])),
    (AGR, ("Démarrer un potager en permaculture", "Buttes, paillage, associations de légumes.",
           ["jardin", "permaculture"]),
     ("Conseils pour mon premier potager",
      "Quels légumes planter au printemps dans un petit jardin ?", ["jardinage"])),
    (AGR, ("Vendre en circuit court", "Marchés, AMAP, vente à la ferme : s'organiser.",
           ["circuit court"]),
     ("Trouver des débouchés pour mes fromages",
      "Je suis agricultrice et je cherche à vendre en direct, en AMAP ou au marché.", [])),
    (AGR, ("Cuisiner les légumes de saison", "Recettes simples et anti-gaspillage.",
           ["cuisine"]),
     ("Idées de recettes végétariennes",
      "Je cuisine peu, comment préparer les légumes ?", ["cuisine"])),
    (LAN, ("Conversation en anglais", "Pratiquer l'anglais autour d'un café, tous niveaux.",
           ["anglais"]),
     ("Améliorer mon anglais pour le travail",
      "J'ai des réunions en anglais et je bloque à l'oral.", ["anglais"])),
    (LAN, ("Cours d'espagnol pour débutants", "Les bases pour voyager.", ["espagnol"]),
     ("Apprendre l'espagnol avant un voyage", "Je pars en Andalousie cet été.", [])),
    (LAN, ("Traduire des documents en allemand", "Relecture et traduction de courriers.",
           ["allemand", "traduction"]),
     ("Traduction d'un courrier en allemand", "Une lettre pour un client de Stuttgart.", [])),
    (VIE, ("Monter une association loi 1901",
           "Statuts, assemblée générale, déclaration en préfecture.", ["association"]),
     ("Créer notre association de quartier", "Quelles démarches pour les statuts ?",
      ["associations"])),
    (VIE, ("Organiser un covoiturage",
           "Mettre en place un groupe de covoiturage entre villages.", ["mobilité"]),
     ("Partager mes trajets vers Apt", "Je cherche des covoitureurs pour aller travailler.",
      ["covoiturage"])),
    (NUM, ("Sauvegarder ses photos et documents",
           "Disque externe, cloud, sauvegardes automatiques.", ["sauvegarde"]),
     ("J'ai peur de perdre mes photos",
      "Comment faire une sauvegarde de mon téléphone ?", [])),
    (NUM, ("Débuter avec un tableur",
           "Formules, tableaux, graphiques sur LibreOffice Calc ou Excel.", ["tableur", "excel"]),
     ("Faire des formules dans Excel", "Calculer automatiquement un total dans un tableau.",
      [])),
    (NUM, ("Sécuriser ses mots de passe",
           "Gestionnaire de mots de passe, double authentification.", ["sécurité"]),
     ("Mon compte mail a été piraté",
      "Comment choisir un mot de passe solide et sécuriser mon compte ?", ["securite"])),
    (NUM, ("Démarches administratives en ligne",
           "Impots.gouv, CAF, ameli : créer son compte et déclarer.", ["administratif"]),
     ("Déclarer mes impôts en ligne", "Première déclaration sur internet, je suis perdu.", [])),
    (NUM, ("Monter une vidéo sur smartphone",
           "Filmer, couper, ajouter de la musique avec une appli gratuite.", ["vidéo"]),
     ("Faire un petit film de présentation", "Je voudrais monter des vidéos pour ma boutique.",
      ["video"])),
    (COM, ("Concevoir une affiche",
           "Mise en page, couleurs et typographie avec Canva ou Scribus.", ["graphisme"]),
     ("Créer un flyer pour notre fête",
      "Besoin d'une affiche et d'un flyer pour la fête du village.", ["graphisme"])),
    (COM, ("Prendre la parole en public", "Gérer le trac, structurer un discours.", ["oral"]),
     ("Présenter mon projet devant des élus", "Je dois parler en public et j'ai le trac.", [])),
    (GES, ("Rédiger un business plan",
           "Prévisionnel, étude de marché, plan de financement.", ["création d'entreprise"]),
     ("Financer la création de mon entreprise", "Il me faut un prévisionnel pour la banque.",
      [])),
    (GES, ("Demander des subventions",
           "Trouver les aides publiques et monter un dossier de subvention.", ["financement"]),
     ("Dossier de subvention pour notre association",
      "La mairie nous propose une aide, il faut remplir un dossier.", [])),
    (FAB, ("Souder à l'arc", "Les bases de la soudure pour réparer du métal.",
           ["soudure", "métal"]),
     ("Ressouder un portail en fer", "Mon portail métallique est cassé, qui sait souder ?",
      [])),
    (AGR, ("Faire son pain au levain", "Levain, pétrissage, cuisson au four à bois.",
           ["boulange"]),
     ("Mon levain ne lève pas", "Comment réussir un pain maison ?", ["pain"])),
    (AGR, ("Élever des poules au jardin", "Poulailler, alimentation, santé des poules.",
           ["poules"]),
     ("Installer un poulailler", "On va adopter trois poules, que faut-il savoir ?", [])),
    (VIE, ("Réparer plutôt que jeter : repair café",
           "Petits appareils électriques, grille-pain, lampes.", ["réparation"]),
     ("Mon grille-pain ne marche plus",
      "Est-ce que quelqu'un répare les petits appareils ?", [])),
    (LAN, ("Langue des signes : les premiers gestes",
           "Saluer, se présenter, épeler son prénom en LSF.", ["lsf"]),
     ("Communiquer avec un collègue sourd", "Je voudrais apprendre quelques signes de base.",
      ["lsf"])),
]


def post(post_id: int, participant_id: int, kind: str, category: str,
         text: tuple[str, str, list[str]]) -> dict:
    title, description, tags = text
    return {"id": post_id, "participant_id": participant_id, "kind": kind, "title": title,
            "description": description, "category": category, "tags": tags,
            "status": "open", "hidden": False}


def board() -> tuple[list[dict], list[dict]]:
    """Offer n by participant n, its request by participant 100 + n (ids 1..30, 101..130)."""
    offers = [post(n, n, "offer", cat, o) for n, (cat, o, _) in enumerate(PAIRS, 1)]
    requests = [post(100 + n, 100 + n, "request", cat, r)
                for n, (cat, _, r) in enumerate(PAIRS, 1)]
    return offers, requests


def test_the_fixture_has_thirty_offers_and_thirty_requests():
    offers, requests = board()
    assert len(offers) == len(requests) == 30


@pytest.mark.parametrize("n", range(1, len(PAIRS) + 1),
                         ids=[pair[2][0] for pair in PAIRS])
def test_each_request_finds_its_offer_first(n):
    offers, requests = board()
    matcher = swap.Matcher(offers + requests)
    request = requests[n - 1]
    ranked = sorted(((matcher.score(o, request), o["id"]) for o in offers), reverse=True)
    best_score, best_id = ranked[0]
    assert best_id == n, (request["title"], [(s, offers[i - 1]["title"]) for s, i in ranked[:3]])
    assert best_score >= swap.MIN_SCORE


def test_most_requests_have_no_more_than_a_few_proposals():
    """Matching must not propose everything to everyone."""
    offers, requests = board()
    pairs = swap.Matcher(offers + requests).pairs()
    per_request: dict[int, int] = {}
    for _score, _offer, request in pairs:
        per_request[request["id"]] = per_request.get(request["id"], 0) + 1
    assert sum(per_request.values()) <= 1.5 * len(requests)


def test_comptabilite_matches_comptable_with_or_without_accents():
    assert swap.keys("comptabilité") == swap.keys("comptable") == {"comptabl"}
    for typed in ("comptabilité", "comptabilite", "COMPTABILITÉ", "comptables"):
        offer = post(1, 1, "offer", GES, (f"Aide en {typed}", "", []))
        request = post(2, 2, "request", GES, ("Logiciel comptable", "", []))
        assert swap.Matcher([offer, request]).score(offer, request) >= swap.MIN_SCORE, typed


def test_plurals_and_case_are_the_same_word():
    assert swap.keys("Vélos") & swap.keys("vélo") or swap._related("velos", "velo")
    assert swap.keys("SITES") == swap.keys("site")


def test_unrelated_posts_do_not_match():
    offer = post(1, 1, "offer", NUM, ("Créer un site WordPress", "", []))
    request = post(2, 2, "request", NUM, ("Tailler mes rosiers", "au printemps", []))
    assert swap.Matcher([offer, request]).score(offer, request) == 0


def test_own_closed_and_hidden_posts_are_never_proposed():
    offer = post(1, 1, "offer", GES, ("Comptabilité", "", []))
    own = post(2, 1, "request", GES, ("Logiciel comptable", "", []))
    closed = {**post(3, 3, "request", GES, ("Logiciel comptable", "", [])), "status": "closed"}
    hidden = {**post(4, 4, "request", GES, ("Logiciel comptable", "", [])), "hidden": True}
    assert swap.Matcher([offer, own, closed, hidden]).pairs() == []


# ----------------------------------------------------------- with a real store
@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path, indexes=domain.INDEXES) as store:
        yield store


def person(store, name: str, email: str | None = None) -> dict:
    record = {"name": name, "token": f"token-{name}-0123456789", "email": email}
    record["id"] = store.insert("participants", record)
    return record


def form(kind: str, title: str, category: str = GES, **more) -> dict:
    return {"kind": kind, "title": title, "category": category, **more}


def test_matches_both_ways_on_the_pass(store):
    ana, bruno = person(store, "Ana"), person(store, "Bruno")
    offer = swap.create(store, KIT, ana, form("offer", "Tenir sa comptabilité"), NOON)
    request = swap.create(store, KIT, bruno, form("request", "Logiciel comptable"), NOON)
    assert [m["post"]["id"] for m in swap.matches(store, bruno["id"])["can_help_you"]] == [
        offer["id"]]
    assert [m["post"]["id"] for m in swap.matches(store, ana["id"])["you_can_help"]] == [
        request["id"]]
    assert swap.matches(store, ana["id"])["can_help_you"] == []


def test_bounded_lengths_with_field_messages(store):
    ana = person(store, "Ana")
    with pytest.raises(InvalidInput) as caught:
        swap.create(store, KIT, ana, form("offer", "x" * 5000, description="y" * 5000,
                                          tags=["z" * 40]), NOON)
    assert set(caught.value.fields) == {"title", "description", "tags"}
    with pytest.raises(InvalidInput) as caught:
        swap.create(store, KIT, ana, form("gift", "ok", category="Astrologie"), NOON)
    assert set(caught.value.fields) == {"kind", "title", "category"}
    with pytest.raises(InvalidInput) as caught:
        swap.create(store, KIT, ana, form("offer", "Par mail", meet="email"), NOON)
    assert set(caught.value.fields) == {"meet"}


def test_only_the_author_changes_a_post(store):
    ana, bruno = person(store, "Ana"), person(store, "Bruno")
    offer = swap.create(store, KIT, ana, form("offer", "Tenir sa comptabilité"), NOON)
    for attempt in (lambda: swap.edit(store, KIT, bruno, offer["id"], {"title": "pwned"}),
                    lambda: swap.close(store, bruno["id"], offer["id"]),
                    lambda: swap.delete(store, bruno["id"], offer["id"])):
        with pytest.raises(Forbidden):
            attempt()
    assert swap.get(store, offer["id"])["title"] == "Tenir sa comptabilité"
    swap.edit(store, KIT, ana, offer["id"], {"title": "Tenir sa compta", "tags": "urssaf, TVA"})
    assert swap.get(store, offer["id"])["tags"] == ["urssaf", "TVA"]


def test_rate_limit_tells_how_long_to_wait(store):
    ana = person(store, "Ana")
    for i in range(swap.POST_LIMIT):
        swap.create(store, KIT, ana, form("offer", f"Offre numéro {i}"), NOON)
    with pytest.raises(RateLimited) as caught:
        swap.create(store, KIT, ana, form("offer", "Une de trop"), NOON)
    assert caught.value.params["minutes"] == 10
    later = NOON + swap.POST_WINDOW + dt.timedelta(seconds=1)
    swap.create(store, KIT, ana, form("offer", "Plus tard"), later)


def test_a_meeting_is_answered_only_by_the_person_asked(store):
    ana, bruno, chloe = (person(store, n) for n in ("Ana", "Bruno", "Chloé"))
    offer = swap.create(store, KIT, ana, form("offer", "Tenir sa comptabilité"), NOON)
    request = swap.create(store, KIT, bruno, form("request", "Logiciel comptable"), NOON)
    meeting = swap.propose(store, bruno, offer["id"], "15h à la table du café", request["id"])
    assert (meeting["offer_id"], meeting["request_id"]) == (offer["id"], request["id"])
    for intruder in (bruno, chloe):
        with pytest.raises(Forbidden):
            swap.answer(store, intruder["id"], meeting["id"], accept=True)
    swap.answer(store, ana["id"], meeting["id"], accept=True)
    for who, other in ((ana, "Bruno"), (bruno, "Ana")):
        (shown,) = swap.meetings_of(store, who["id"])
        assert (shown["status"], shown["with_name"]) == ("accepted", other)
    assert swap.summary(store.all("swap_posts"), store.all("swap_meetings"))[
        "meetings_accepted"] == 1


def test_a_popular_offer_becomes_a_workshop_and_its_askers_are_told(store):
    ana = person(store, "Ana")
    offer = swap.create(store, KIT, ana, form("offer", "Tenir sa comptabilité"), NOON)
    askers = [person(store, n) for n in ("Bruno", "Chloé")]
    for p in askers:
        swap.create(store, KIT, p, form("request", "Logiciel comptable"), NOON)
    (popular,) = swap.popular_offers(store)
    assert popular["post"]["id"] == offer["id"] and len(popular["requests"]) == 2
    room = next(s.id for s in KIT.spaces if s.kind == "meeting")
    day = KIT.event.start_date.isoformat()
    workshop, told = swap.to_workshop(store, KIT, offer["id"], {
        "room": room, "start": f"{day}T15:00", "end": f"{day}T16:00", "capacity": 8})
    assert sorted(told) == sorted(p["id"] for p in askers)
    (notice,) = swap.notices_of(store, KIT, askers[0]["id"])
    assert notice["workshop"].title.fr == "Tenir sa comptabilité"
    assert notice["registered"] is False


def test_hidden_posts_stay_in_the_data_but_leave_the_board_and_the_report(store):
    ana = person(store, "Ana")
    offer = swap.create(store, KIT, ana, form("offer", "Tenir sa comptabilité"), NOON)
    swap.set_hidden(store, offer["id"])
    assert swap.board(store) == []
    assert store.get("swap_posts", offer["id"])["hidden"] is True
    assert swap.summary(store.all("swap_posts"), [])["offers"] == 0


def test_board_filters_by_kind_category_and_tag_ignoring_accents(store):
    ana = person(store, "Ana")
    swap.create(store, KIT, ana, form("offer", "Réparer son vélo", FAB, tags="Vélos"), NOON)
    swap.create(store, KIT, ana, form("request", "Tenir sa comptabilité", GES), NOON)
    assert [p["title"] for p in swap.board(store, tag="velo")] == ["Réparer son vélo"]
    assert [p["title"] for p in swap.board(store, kind="request")] == ["Tenir sa comptabilité"]
    assert swap.board(store, category=LAN) == []
