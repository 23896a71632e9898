"""French error pages in the shape that was asked for; English on request."""


def test_unknown_page_is_a_french_404(as_role):
    resp = as_role("owner").get("/nulle-part")
    assert resp.status_code == 404
    assert "Page introuvable" in resp.get_data(as_text=True)


def test_htmx_gets_the_error_as_a_fragment(as_role):
    resp = as_role("owner").get("/nulle-part", headers={"HX-Request": "true"})
    html = resp.get_data(as_text=True)
    assert "Page introuvable" in html and "<html" not in html


def test_json_clients_get_json_errors(as_role):
    resp = as_role("technician").get("/parametres/boutique", headers={"Accept": "application/json"})
    assert resp.status_code == 403 and resp.get_json()["error"] == "Accès refusé"


def test_forbidden_page_explains_in_french(as_role):
    html = as_role("technician").get("/parametres/utilisateurs").get_data(as_text=True)
    assert "Votre rôle ne donne pas accès à cette page" in html


def test_french_by_default_english_on_request(client):
    assert "Connexion à qualirepar" in client.get("/connexion").get_data(as_text=True)
    assert "Sign in to qualirepar" in client.get("/connexion?lang=en").get_data(as_text=True)
    assert "Sign in to qualirepar" in client.get("/connexion").get_data(as_text=True)  # remembered


def test_htmx_fragment_responses_vary_on_hx_request(as_role):
    resp = as_role("owner").get("/sante/", headers={"HX-Request": "true"})
    assert "HX-Request" in resp.headers["Vary"]
    assert "<html" not in resp.get_data(as_text=True)
