"""The owner starts a sync from the button and watches it run, with a real worker process."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qualirepar.catalog.loader import load_csv
from qualirepar.eco.models import EcoAccount
from qualirepar.eco.sandbox.seed import DEMO
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

from .conftest import shot
from .helpers import login

pytestmark = pytest.mark.browser


@pytest.fixture
def worker(app, sandbox, monkeypatch):
    monkeypatch.setitem(app.config, "ECO_SANDBOX_URL", sandbox.url)
    env = {**os.environ, "QUALIREPAR_ENV": "testing", "REDISLITE_PATH": app.config["REDISLITE_PATH"],
           "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "ECO_SANDBOX_URL": sandbox.url,
           "ECO_READ_TIMEOUT": "5", "QUALIREPAR_ENCRYPTION_KEYS": app.config["ENCRYPTION_KEYS"]}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], env=env,
                            cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield proc
    proc.terminate()
    proc.wait(timeout=20)


def test_owner_syncs_with_ecosystem_and_reads_the_report(page, live_server, shop, app, sandbox, worker):
    with app.app_context(), as_shop(shop.id):
        load_csv()
        account = EcoAccount(organism="ecosystem", environment="sandbox", login=DEMO["username"])
        account.secret = DEMO["password"]
        db.session.add(account)
        db.session.commit()
    sandbox.faults.configure(latency_ms=400)  # slow enough to see the progress bar
    login(page, live_server, shop.emails["owner"])
    page.goto(live_server + "/catalogue/synchro")
    page.get_by_role("button", name="Synchroniser ecosystem").click()
    page.get_by_role("progressbar").wait_for()
    shot(page, "sync-progress")
    page.get_by_text("Terminé :").wait_for(timeout=30_000)
    assert "marque · nouvelle : 20" in page.get_by_test_id("sync-summary").inner_text()
    page.get_by_text("Détail des changements").click()
    assert page.get_by_role("cell", name="SAMSUNG").is_visible()
    assert page.get_by_role("progressbar").count() == 0
    shot(page, "sync-report")
