"""Background work is a row plus a job: the job is queued by its dotted path, its id is kept on the
row, and a Redis that does not answer leaves the row failed with a French message (one policy)."""
import importlib.util
from pathlib import Path

import pytest
import redis
from rq import Queue

from qualirepar.catalog.models import CatalogSync
from qualirepar.catalog.services import start_sync
from qualirepar.core import queue
from qualirepar.core.queue import QUEUE_DOWN, enqueue, get_queue
from qualirepar.extensions import db
from qualirepar.ocr.models import OcrDocument
from qualirepar.tenancy import as_shop

from ..ocr.test_documents import _plate, _post

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_down(monkeypatch, tmp_path):
    """The queue's Redis stops answering (the app's own connection, for the page cache, still does)."""
    dead = redis.Redis(unix_socket_path=str(tmp_path / "nobody.sock"), socket_connect_timeout=0.2)
    monkeypatch.setattr(queue, "get_queue", lambda name="default": Queue(name, connection=dead))


def test_a_job_is_named_by_its_dotted_path(app):
    with app.app_context():
        with pytest.raises(TypeError):
            enqueue(print)
        job = enqueue("qualirepar.health.tasks.ping")
        assert job.func_name == "qualirepar.health.tasks.ping" and job.perform() == "pong"


def test_a_sync_keeps_the_id_of_its_job(app, shop):
    with app.test_request_context(), as_shop(shop.id):
        sync = start_sync("ecosystem")
        (job,) = get_queue().jobs
        assert sync.job_id == job.id == f"catalog-sync-{sync.id}"
        assert job.func_name == "qualirepar.catalog.tasks.sync_catalog" and job.args == (shop.id, sync.id)
        assert sync.running and sync.status == "queued"


def test_with_redis_down_a_sync_says_so_on_its_row(app, shop, redis_down):
    with app.test_request_context(), as_shop(shop.id):
        sync = start_sync("ecosystem")
        db.session.expire_all()
        sync = db.session.get(CatalogSync, sync.id)
        assert sync.status == "failed" and sync.error == str(QUEUE_DOWN) and sync.job_id is None
        assert not sync.running


def test_with_redis_down_a_document_says_so_and_is_not_read_in_the_request(app, shop, as_role, redis_down):
    html = _post(as_role("technician"), _plate(), "plaque.jpg", "nameplate").get_data(as_text=True)
    assert "File de tâches indisponible" in html and "hx-trigger" not in html  # nothing to wait for
    with app.app_context(), as_shop(shop.id):
        doc = db.session.execute(db.select(OcrDocument)).scalar_one()
        assert doc.status == "failed" and doc.error == str(QUEUE_DOWN) and doc.pages_done == 0 and doc.method is None


def test_a_document_keeps_the_id_of_its_job(app, shop, as_role):
    _post(as_role("technician"), _plate(), "plaque.jpg", "nameplate")
    with app.app_context(), as_shop(shop.id):
        doc = db.session.execute(db.select(OcrDocument)).scalar_one()
        (job,) = get_queue().jobs
        assert doc.job_id == job.id and doc.running
        assert job.func_name == "qualirepar.ocr.tasks.read_document" and job.args == (shop.id, doc.id)


def _house():
    spec = importlib.util.spec_from_file_location("house", ROOT / "tools" / "house.py")
    house = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(house)
    return house


def test_services_never_import_tasks():
    """A service queues a job by its dotted path (core.queue): it imports no tasks module, even inside a function."""
    edges = _house().graph(with_late=True)
    offenders = {name: sorted(t for t in targets if t.endswith(".tasks"))
                 for name, targets in edges.items() if "services" in name.split(".")}
    assert {name: targets for name, targets in offenders.items() if targets} == {}
