"""Audit packs built by a worker: followed on their page, told when ready or failed, purged after 30 days."""
import datetime as dt
import io
import zipfile

import redis
from werkzeug.http import parse_options_header

from qualirepar.auditpack import services, tasks
from qualirepar.auditpack.models import AuditPack
from qualirepar.auditpack.parts import bons
from qualirepar.claims.models import Notification
from qualirepar.core import queue
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.files.storage import get_storage
from qualirepar.shops.models import User
from qualirepar.tenancy import as_shop

from .. import factories
from .helpers import PERIOD

D = dt.date


def test_many_bons_are_built_by_a_worker_and_the_asker_is_told(app, shop, as_role, history, monkeypatch):

    monkeypatch.setattr(bons, "MAX_RENDERED_BONS", 1)  # R and C have no claim: 2 bons to render, more than 1
    client = as_role("owner")
    resp = client.post("/audit/telecharger", data={**PERIOD, "bons": "y"})
    assert resp.status_code == 303 and "/audit/dossiers/" in resp.location
    html = client.get(resp.location).get_data(as_text=True)
    assert "le dossier est préparé en arrière-plan" in html and 'data-status="queued"' in html and 'hx-trigger="every 2s"' in html
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])  # a real RQ worker, as in production
    assert result.exit_code == 0, result.output
    html = client.get(resp.location).get_data(as_text=True)
    assert 'data-status="ready"' in html and "every 2s" not in html
    download = client.get(resp.location + "/fichier")
    disposition, options = parse_options_header(download.headers["Content-Disposition"])
    assert download.status_code == 200 and disposition == "attachment" and options["filename"].startswith("dossier-audit-")
    assert int(download.headers["Content-Length"]) == len(download.data)  # sent from the file, its size known
    zf = zipfile.ZipFile(io.BytesIO(download.data))
    assert len([n for n in zf.namelist() if n.startswith("bons/")]) == 4 and "prises_en_charge.csv" in zf.namelist()
    with app.app_context(), as_shop(shop.id):
        item = db.session.execute(db.select(AuditPack)).scalar_one()
        assert (item.bons_done, item.bons_total) == (4, 4)
        note = db.session.execute(db.select(Notification).where(Notification.user_id == item.requested_by_id)).scalar_one()
        assert "est prêt à télécharger" in note.text and note.link == f"/audit/dossiers/{item.id}"
    assert "Dossiers préparés en arrière-plan" in client.get("/audit/").get_data(as_text=True)
    # Another shop does not see it.
    other = factories.shop_with_team(app)
    assert factories.login_client(app, other.emails["owner"]).get(resp.location + "/fichier").status_code == 404


def test_a_failed_build_is_shown_and_told(app, shop, history, monkeypatch):

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    with app.test_request_context(), as_shop(shop.id):
        owner = db.session.execute(db.select(User).where(User.role == "owner")).scalar_one()
        item = AuditPack(period_from=D(2025, 1, 1), period_to=D(2025, 3, 31), include_bons=True, requested_by_id=owner.id)
        db.session.add(item)
        db.session.commit()
        monkeypatch.setattr(services, "build", broken)
        services.build_pack(item)
        assert item.status == "failed" and "disque plein" in item.error and item.file_id is None
        texts = db.session.execute(db.select(Notification.text).where(Notification.user_id == owner.id)).scalars().all()
        assert any("n'a pas pu être préparé" in t for t in texts)


def test_packs_older_than_30_days_leave_the_file_store(app, shop, history, monkeypatch):

    with app.test_request_context(), as_shop(shop.id):
        old, recent = (AuditPack(period_from=D(2025, 1, 1), period_to=D(2025, 1, 31), include_bons=False) for _ in range(2))
        db.session.add_all([old, recent])
        db.session.commit()
        for item in (old, recent):
            services.build_pack(item)
        old.finished_at -= dt.timedelta(days=31)
        db.session.commit()
        old_id, recent_id, old_key = old.id, recent.id, db.session.get(StoredFile, old.file_id).storage_key
    with app.app_context():  # the nightly job: no shop is current
        assert tasks.purge_audit_packs() == 1
    with app.app_context(), as_shop(shop.id):
        assert db.session.get(AuditPack, old_id).status == "expired" and db.session.get(AuditPack, old_id).file_id is None
        assert db.session.get(AuditPack, recent_id).status == "ready"
    with app.app_context():
        try:
            get_storage().read(old_key)
            raise AssertionError("the zip is still stored")
        except (FileNotFoundError, OSError):
            pass


def test_a_pack_asked_while_the_queue_is_down_is_kept_failed_with_the_reason(app, shop, as_role, history, monkeypatch):
    def down(*args, **kwargs):
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(bons, "MAX_RENDERED_BONS", 1)
    monkeypatch.setattr(queue, "enqueue", down)
    client = as_role("owner")
    resp = client.post("/audit/telecharger", data={**PERIOD, "bons": "y"})
    assert resp.status_code == 303 and "/audit/dossiers/" in resp.location
    with app.app_context(), as_shop(shop.id):
        item = db.session.execute(db.select(AuditPack)).scalar_one()
        assert item.status == "failed" and item.error == str(queue.QUEUE_DOWN) and item.job_id is None
    html = client.get(resp.location).get_data(as_text=True).replace("&#39;", "'")
    assert 'data-status="failed"' in html and str(queue.QUEUE_DOWN) in html
