"""Archives (issue 19; BOI-TVA-DECLA-30-10-30, condition d'archivage): a closed period's records, journal
and closings in CSV and JSON with a French README, the public key, a manifest of SHA-256 signed with
Ed25519; journaled as ARCHIVE; kept by every purge; `flask fiscal verify --archive` names what is
broken."""
import base64
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
import time_machine
from rq.registry import ScheduledJobRegistry

from qualirepar.auditpack.tasks import purge_audit_packs
from qualirepar.auth.tasks import purge_login_sessions
from qualirepar.core.queue import get_queue
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.files.storage import get_storage
from qualirepar.fiscal import archive, closings, keys, kinds, settings, tasks
from qualirepar.fiscal.closing_models import FiscalArchive
from qualirepar.fiscal.models import FiscalEntry
from qualirepar.intake.tasks import purge_drafts
from qualirepar.tenancy import as_shop

from .. import factories
from .test_closings import a_sale, at

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _march_archive(app, shop) -> tuple[int, bytes]:
    with at(dt.date(2026, 3, 10)):
        a_sale(app, shop)
    with at(dt.date(2026, 4, 1), hour=2), app.test_request_context(), as_shop(shop.id):
        closings.close_through(shop.id, dt.date(2026, 3, 31))
        made = archive.build_archive(shop.id, *MARCH, archive.MONTH, shop.users["owner"].id)
        stored = db.session.get(StoredFile, made.file_id)
        return made.id, get_storage().read(stored.storage_key)


def _edited(data: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.namelist():
            content = src.read(item)
            dst.writestr(item, change(content) if item == name else content)
    return out.getvalue()


def test_the_archive_holds_the_records_the_journal_the_closings_a_readme_and_a_signed_manifest(app, shop):
    archive_id, data = _march_archive(app, shop)
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert names == {"README.txt", "public_key.pem", "manifest.json", "manifest.sig", "invoices.csv", "invoices.json",
                     "invoice_lines.csv", "payments.csv", "payments.json", "deposits.csv", "deposits.json",
                     "journal.csv", "journal.json", "closings.csv", "closings.json"}
    zf = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["period"] == {"scope": "month", "start": "2026-03-01", "end": "2026-03-31"}
    assert set(manifest["files"]) == names - {"manifest.json", "manifest.sig", "public_key.pem"}
    readme = zf.read("README.txt").decode()
    for expected in ("ARCHIVE FISCALE", "du 01/03/2026 au 31/03/2026", "journal.csv", "- prev_hash : empreinte",
                     "manifest.sig", "openssl pkeyutl -verify"):
        assert expected in readme, expected
    invoices = zf.read("invoices.csv").decode("utf-8-sig").splitlines()
    assert invoices[0].startswith("id;") and len(invoices) == 2 and "180.00" in invoices[1]
    kinds_inside = [e["kind"] for e in json.loads(zf.read("journal.json"))]
    assert kinds.INVOICE in kinds_inside and kinds_inside.count(kinds.CLOSING_DAY) == 22 and kinds.CLOSING_MONTH in kinds_inside
    with app.test_request_context(), as_shop(shop.id):
        row = db.session.get(FiscalArchive, archive_id)
        entry = db.session.execute(db.select(FiscalEntry).where(FiscalEntry.seq == row.entry_seq)).scalar_one()
        assert entry.kind == kinds.ARCHIVE and entry.payload["zip_sha256"] == row.sha256
        assert archive.verify_archive(data, keys.public_key_pem(shop.id)).ok


def test_an_open_period_is_not_archived(app, shop):
    a_sale(app, shop)
    with app.test_request_context(), as_shop(shop.id), pytest.raises(kinds.FiscalRefusal, match="n'est pas close"):
        archive.build_archive(shop.id, dt.date(2026, 1, 1), dt.date(2026, 12, 31), archive.YEAR)


@pytest.mark.parametrize("name, change, expected", [
    ("payments.csv", lambda b: b.replace(b"100.00", b"100.01"), "Le fichier payments.csv a été modifié"),
    ("invoices.json", lambda b: b[:-2] + b" ]", "Le fichier invoices.json a été modifié"),
    ("manifest.json", lambda b: b.replace(b'"month"', b'"year"'), "La signature du manifeste est invalide"),
])
def test_an_edited_archive_is_found_and_named(app, shop, name, change, expected):
    _id, data = _march_archive(app, shop)
    report = archive.verify_archive(_edited(data, name, change))
    assert not report.ok and any(expected in p for p in report.problems), report.problems


def test_an_archive_rebuilt_with_another_key_is_named(app, shop):
    """Anyone can re-sign a forged archive with a key of their own: the shop's key tells it."""
    _id, data = _march_archive(app, shop)
    with app.test_request_context(), as_shop(shop.id):
        other_pem, _private = keys.new_key_pair()
    forged = _edited(data, "public_key.pem", lambda b: other_pem.encode())
    report = archive.verify_archive(forged)
    assert any("signature du manifeste est invalide" in p for p in report.problems)


def test_flask_fiscal_verify_archive_names_the_edited_csv(app, shop, runner, tmp_path):
    _id, data = _march_archive(app, shop)
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(data)
    bad.write_bytes(_edited(data, "invoice_lines.csv", lambda b: b[:-3] + (b"9" if b[-3:-2] != b"9" else b"8") + b[-2:]))
    ok = runner.invoke(args=["fiscal", "verify", "--archive", str(good)])
    assert ok.exit_code == 0 and "Archive intègre" in ok.output, ok.output
    broken = runner.invoke(args=["fiscal", "verify", "--archive", str(bad)])
    assert broken.exit_code == 1 and "invoice_lines.csv a été modifié" in broken.output, broken.output


def test_no_nightly_purge_touches_an_archive_even_seven_years_on(app, shop):
    """Kept six years at least (LPF art. L102 B; BOI-TVA-DECLA-30-10-30, condition d'archivage): the purges leave it."""
    archive_id, data = _march_archive(app, shop)
    with time_machine.travel(dt.datetime(2033, 4, 2, 5, 0, tzinfo=dt.timezone.utc)), app.app_context():
        purge_audit_packs()
        purge_drafts()
        purge_login_sessions()
    with app.test_request_context(), as_shop(shop.id):
        stored = db.session.get(StoredFile, db.session.get(FiscalArchive, archive_id).file_id)
        assert stored is not None and get_storage().read(stored.storage_key) == data


def test_the_nightly_job_closes_yesterday_and_archives_a_fiscal_year(app, shop):
    with at(dt.date(2026, 12, 31)):
        a_sale(app, shop)
    with at(dt.date(2027, 1, 1), hour=1), app.app_context():
        assert tasks.close_shop(shop.id) == 3  # the day, December, the year 2026
        assert tasks.close_shop(shop.id) == 0  # idempotent
        with as_shop(shop.id):
            [made] = archive.listing(shop.id)
            assert (made.scope, made.period_start, made.period_end) == ("year", dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_the_owner_archives_a_closed_month_from_the_page_and_downloads_it(app, shop, as_role):
    with at(dt.date(2026, 3, 10)):
        a_sale(app, shop)
    with at(dt.date(2026, 4, 1), hour=2):
        with app.test_request_context(), as_shop(shop.id):
            closings.close_through(shop.id, dt.date(2026, 3, 31))
            month = closings.listing(shop.id, kinds.CLOSING_MONTH)[0]
        client = as_role("owner")
        page = client.get("/parametres/clotures").get_data(as_text=True)
        assert "Archiver" in page and "Clôture mensuelle · 1 mars 2026 – 31 mars 2026" in page
        done = client.post("/parametres/clotures/archives", data={"closing": month.id}, follow_redirects=True).get_data(as_text=True)
        assert "Archive du 01/03/2026 au 31/03/2026 signée et conservée." in done
        with app.app_context(), as_shop(shop.id):
            [made] = archive.listing(shop.id)
        resp = client.get(f"/parametres/clotures/archives/{made.id}.zip")
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/zip"
        assert archive.verify_archive(resp.data).ok


def test_the_owner_sets_the_fiscal_year_end_and_a_wrong_one_is_refused_in_french(app, shop, as_role):
    client = as_role("owner")
    wrong = client.post("/parametres/clotures/exercice", data={"day": "31", "month": "4"}, follow_redirects=True)
    assert "Le 31 avril n&#39;existe pas." in wrong.get_data(as_text=True) or "Le 31 avril n'existe pas." in wrong.get_data(as_text=True)
    done = client.post("/parametres/clotures/exercice", data={"day": "30", "month": "6"}, follow_redirects=True)
    assert "Fin d&#39;exercice enregistrée." in done.get_data(as_text=True) or "Fin d'exercice enregistrée." in done.get_data(as_text=True)
    with app.app_context(), as_shop(shop.id):
        s = settings.settings_of(shop.id)
        assert (s.year_end_day, s.year_end_month) == (30, 6)


def _resigned(app, shop, data: bytes, name: str, change) -> bytes:
    """The archive with one file changed and the manifest rebuilt and signed again with the shop's own
    key (what only a holder of the private key could do): the journal's own chain still tells."""
    src = zipfile.ZipFile(io.BytesIO(data))
    files = {n: src.read(n) for n in src.namelist()}
    files[name] = change(files[name])
    manifest = json.loads(files["manifest.json"])
    manifest["files"][name] = {"sha256": hashlib.sha256(files[name]).hexdigest(), "bytes": len(files[name])}
    files["manifest.json"] = json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=1).encode()
    with app.app_context(), as_shop(shop.id):
        files["manifest.sig"] = base64.b64encode(keys.sign(shop.id, files["manifest.json"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for n, content in files.items():
            zf.writestr(n, content)
    return out.getvalue()


def test_a_journal_entry_edited_inside_a_resigned_archive_is_named_by_its_number(app, shop):
    _id, data = _march_archive(app, shop)
    entries = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("journal.json"))
    paid = next(e for e in entries if e["kind"] == kinds.PAYMENT)

    def change(content):
        rows = json.loads(content)
        for e in rows:
            if e["seq"] == paid["seq"]:
                e["amounts"]["methods"]["card"] = "10.00"
        return json.dumps(rows).encode()

    report = archive.verify_archive(_resigned(app, shop, data, "journal.json", change))
    assert report.problems[0] == f"Journal : l'écriture n° {paid['seq']} a été modifiée (son empreinte ne correspond plus)."


def test_the_nightly_schedule_queues_one_job_per_shop_a_few_seconds_apart(app, shop):
    factories.make_shop(app)
    with app.app_context():
        assert tasks.close_all_shops() == 2
        queue = get_queue()
        assert [j.func_name for j in queue.jobs] == [tasks.JOB]  # the first shop at once
        scheduled = ScheduledJobRegistry(queue=queue)
        assert len(scheduled.get_job_ids()) == 1  # the next one STAGGER_SECONDS later
