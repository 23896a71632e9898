"""The demo command creates a usable shop and can be run again safely."""
from qualirepar.demo import DEMO_PASSWORD
from qualirepar.extensions import db
from qualirepar.shops.models import RepairSite, User


def test_demo_load_is_idempotent_and_its_logins_work(app, runner, client):
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])
    assert first.exit_code == second.exit_code == 0
    assert "gerant@demo.qualirepar.fr" in first.output and DEMO_PASSWORD in first.output
    with app.app_context():
        count = lambda m: db.session.execute(db.select(db.func.count(m.id))).scalar_one()  # noqa: E731
        assert count(User) == 3 and count(RepairSite) == 2
    for email in ("gerant@demo.qualirepar.fr", "technicien@demo.qualirepar.fr", "support@demo.qualirepar.fr"):
        resp = client.post("/connexion", data={"email": email, "password": DEMO_PASSWORD})
        assert resp.status_code == 302, email
        client.post("/deconnexion")
