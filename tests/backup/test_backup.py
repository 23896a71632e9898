"""Backups that restore (issue 17): back up, wipe, restore, and the same rows and files come back,
on SQLite (online backup API) and PostgreSQL (pg_dump / pg_restore); the rotation keeps days,
weeks and months; the health page shows the last backup and warns when it is old."""
import datetime as dt
import json
import tarfile

import pytest
import time_machine

from qualirepar.backup.archive import BackupError, create_backup, list_backups, rotate, table_counts
from qualirepar.backup.restore import instance_rows, restore_backup, wipe
from qualirepar.backup.rotation import to_keep
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.files.services import store_checked
from qualirepar.files.storage import get_storage
from qualirepar.repairs.models import Customer, RepairOrder
from qualirepar.tenancy import as_shop
from tests import factories


def _with_a_file(app, shop):
    order_id = factories.make_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        row = store_checked(b"%PDF-1.4 bon de prise en charge", "bon.pdf", "bon", "application/pdf", ".pdf")
        db.session.commit()
        return order_id, row.storage_key


def test_backup_wipe_restore_gives_the_same_rows_and_files(app, shop, tmp_path):
    order_id, key = _with_a_file(app, shop)
    with app.app_context():
        before = table_counts()
        backup = create_backup(tmp_path)
        assert backup.path.name.startswith("qualirepar-") and backup.path.suffixes[-2:] == [".tar", ".gz"]
        with tarfile.open(backup.path) as tar:
            names = tar.getnames()
        assert "manifest.json" in names and backup.manifest["database"] in names
        assert any(n.endswith(key) for n in names)

        wipe()
        assert instance_rows() == 0
        with pytest.raises(Exception):
            get_storage().read(key)

        manifest = restore_backup(backup.path)
        assert manifest["tables"] == before
        assert table_counts() == before
        assert db.session.get(RepairOrder, order_id) is not None
        assert get_storage().read(key) == b"%PDF-1.4 bon de prise en charge"
        assert db.session.execute(db.select(StoredFile).where(StoredFile.storage_key == key)).scalar_one().size == 31


def test_restore_refuses_an_instance_that_holds_data(app, shop, tmp_path):
    factories.make_order(app, shop.id)
    with app.app_context():
        backup = create_backup(tmp_path)
        with pytest.raises(BackupError, match="instance vide"):
            restore_backup(backup.path)
        assert db.session.execute(db.select(db.func.count(Customer.id))).scalar_one() == 1  # nothing touched


def test_restore_refuses_a_damaged_archive(app, shop, tmp_path):
    with app.app_context():
        bad = tmp_path / "qualirepar-20261206T020000Z.tar.gz"
        bad.write_bytes(b"not a tar")
        with pytest.raises(BackupError, match="pas une sauvegarde"):
            restore_backup(bad, force=True)
        assert instance_rows() > 0  # refused before anything was wiped


def test_cli_create_then_list(app, shop, runner, tmp_path):
    app.config["BACKUP_DIR"] = str(tmp_path)
    try:
        result = runner.invoke(args=["backup", "create"])
        assert result.exit_code == 0, result.output
        assert "sauvegarde :" in result.output
        assert runner.invoke(args=["backup", "list"]).output.count("qualirepar-") == 1
        side = next(tmp_path.glob("*.tar.gz.json"))
        with app.app_context():
            assert json.loads(side.read_text())["dialect"] == db.engine.dialect.name
    finally:
        app.config["BACKUP_DIR"] = None


def test_copy_to_a_second_folder(app, shop, runner, tmp_path):
    app.config.update(BACKUP_DIR=str(tmp_path / "a"), BACKUP_COPY_DIR=str(tmp_path / "b"))
    try:
        assert runner.invoke(args=["backup", "create"]).exit_code == 0
        assert len(list((tmp_path / "b").glob("qualirepar-*.tar.gz"))) == 1
    finally:
        app.config.update(BACKUP_DIR=None, BACKUP_COPY_DIR=None)


def test_rotation_keeps_days_then_weeks_then_months():
    start = dt.datetime(2026, 1, 1, 2, 30, tzinfo=dt.timezone.utc)
    nightly = [start + dt.timedelta(days=n) for n in range(340)]  # every night of 2026 up to 6 December
    keep = to_keep(nightly, days=7, weeks=5, months=12)
    newest = max(nightly)
    assert {s for s in nightly if (newest - s).days < 7} <= keep  # the last seven nights
    assert len(keep) <= 7 + 5 + 12
    months = {(s.year, s.month) for s in keep}
    assert len(months) == 12  # one per month, January to December
    assert min(keep) == dt.datetime(2026, 1, 31, 2, 30, tzinfo=dt.timezone.utc)  # January's newest night


def test_rotation_deletes_what_is_not_kept(app, shop, tmp_path):
    with app.app_context():
        for day in range(1, 21):
            with time_machine.travel(dt.datetime(2026, 11, day, 2, 30, tzinfo=dt.timezone.utc), tick=False):
                create_backup(tmp_path)
        deleted = rotate(tmp_path, days=3, weeks=2, months=1)
        left = list_backups(tmp_path)
        assert len(left) + len(deleted) == 20
        assert [b.created_at.day for b in left][:3] == [20, 19, 18]
        assert len(left) <= 3 + 2 + 1
        assert not list(tmp_path.glob("*.part"))


def test_health_page_shows_the_last_backup_and_warns_when_old(app, as_role, tmp_path):
    app.config["BACKUP_DIR"] = str(tmp_path)
    try:
        client = as_role("owner")
        page = client.get("/sante/").get_data(as_text=True)
        assert "Aucune sauvegarde" in page
        with app.app_context(), time_machine.travel(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=50), tick=False):
            create_backup(tmp_path)
        page = client.get("/sante/").get_data(as_text=True)
        assert "Sauvegarde trop ancienne" in page
        with app.app_context():
            create_backup(tmp_path)
        page = client.get("/sante/").get_data(as_text=True)
        assert "dernière il y a 0 h" in page and "trop ancienne" not in page
    finally:
        app.config["BACKUP_DIR"] = None
