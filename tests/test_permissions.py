"""Who may open what: one table of role × endpoint, and no endpoint left without a rule."""
import pytest

from qualirepar.permissions import PUBLIC

# (endpoint URL, owner, technician, support): the status each role gets on GET.
TABLE = [
    ("/", 200, 200, 200),
    ("/profil", 200, 200, 200),
    ("/parametres/boutique", 200, 403, 403),
    ("/parametres/lieux", 200, 200, 200),
    ("/parametres/lieux/nouveau", 200, 403, 403),
    ("/parametres/sous-traitants", 200, 403, 200),
    ("/parametres/sous-traitants/nouveau", 200, 403, 403),
    ("/parametres/fiches-metier", 200, 200, 200),
    ("/parametres/fiches-metier/nouveau", 200, 403, 403),
    ("/parametres/utilisateurs", 200, 403, 403),
    ("/parametres/utilisateurs/nouveau", 200, 403, 403),
    ("/parametres/eco-organismes", 200, 403, 403),
    ("/parametres/journal", 200, 403, 403),
    ("/parametres/controles", 200, 403, 403),
    ("/sante/", 200, 403, 403),
    ("/catalogue/bonus", 200, 200, 200),
    ("/catalogue/marques", 200, 200, 200),
    ("/catalogue/marques/options", 200, 200, 200),
    ("/catalogue/eligibilite", 200, 200, 200),
    ("/catalogue/codes", 200, 200, 200),
    ("/catalogue/synchro", 200, 403, 403),
    ("/dossiers/", 200, 200, 200),
    ("/dossiers/nouveau", 200, 200, 200),
    ("/dossiers/nouveau/clients", 200, 200, 200),
    ("/dossiers/nouveau/nouveau-client?brouillon=0b7e6f0a-4a8e-4c57-9c3e-0d3c2d1e5f60", 200, 200, 200),
    ("/parametres/prise-en-charge", 200, 403, 403),
    ("/parametres/facturation-electronique", 200, 403, 403),
    ("/comptabilite/fec", 200, 403, 403),
    ("/parametres/clotures", 200, 403, 403),
    ("/parametres/conformite-caisse", 200, 403, 403),
    ("/dossiers/nouveau/symptomes", 200, 200, 200),
    ("/dossiers/nouveau/bonus", 200, 200, 200),
    ("/catalogue/codes/reparation", 404, 404, 403),  # without ?quote= nothing to show; support does not quote
    ("/facturation-electronique/e-reporting", 200, 403, 200),
    ("/facturation-electronique/fournisseurs", 200, 200, 200),
    ("/facturation-electronique/transmissions", 200, 403, 200),
    ("/demandes/", 200, 403, 200),
    ("/demandes/paiements", 200, 403, 200),
    ("/demandes/paiements.csv", 200, 403, 200),
    ("/notifications/", 200, 200, 200),
    ("/lecture/nouveau", 200, 200, 200),
    ("/reclamations/", 200, 403, 200),
    ("/reclamations/nouvelle", 200, 403, 200),
    ("/audit/", 200, 403, 200),
    ("/explorateur/", 200, 403, 200),
    ("/explorateur/export.csv", 200, 403, 200),
    ("/explorateur/export.xlsx", 200, 403, 200),
    ("/documents/", 200, 200, 200),
    ("/documents/nouveau", 200, 403, 200),
    ("/parametres/prise-en-charge/apercu.pdf", 200, 403, 403),
]
ROLES = ("owner", "technician", "support")


@pytest.mark.parametrize("url,expected", [(row[0], dict(zip(ROLES, row[1:]))) for row in TABLE])
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_status(as_role, url, expected, role):
    client = as_role(role)
    assert client.get(url).status_code == expected[role]


@pytest.mark.parametrize("url", [row[0] for row in TABLE])
def test_anonymous_is_sent_to_login(client, url):
    resp = client.get(url)
    assert resp.status_code == 302
    assert "/connexion" in resp.headers["Location"]


def test_every_endpoint_declares_who_may_call_it(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint != "static" and getattr(app.view_functions[rule.endpoint], "allowed_roles", None) is None]
    assert missing == []


def test_public_endpoints_are_only_the_login_pages_and_the_quote_link(app):
    public = sorted(rule.endpoint for rule in app.url_map.iter_rules()
                    if getattr(app.view_functions.get(rule.endpoint), "allowed_roles", None) is PUBLIC)
    # the customer's quote page is reached through a signed, expiring link (tests/billing/test_quote_pages.py)
    assert public == ["auth.forgot_password", "auth.login", "auth.reset_password", "billing.decide_by_link"]


def test_table_covers_every_get_page_without_parameters(app):
    pages = {rule.rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
             and getattr(app.view_functions[rule.endpoint], "allowed_roles", None) is not PUBLIC}
    assert pages == {row[0].split("?")[0] for row in TABLE}
