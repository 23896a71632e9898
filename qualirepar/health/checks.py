"""Each check returns (ok, detail); a failing check never raises."""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass

import pytesseract
import requests
from alembic.migration import MigrationContext
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import text

from ..backup.archive import list_backups
from ..core.clock import utcnow
from ..core.queue import get_queue
from ..eco.models import EcoAccount
from ..extensions import db
from ..redis_conn import describe, get_redis
from ..worker import workers_status


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - start) * 1000


def database() -> Check:
    try:
        _result, ms = _timed(lambda: db.session.execute(text("SELECT 1")).scalar_one())
        current = MigrationContext.configure(db.session.connection()).get_current_revision()
        return Check(_("Base de données"), True,
                     f"{db.engine.dialect.name}, {ms:.1f} ms, " + _("migration %(rev)s", rev=current or "—"))
    except Exception as exc:  # noqa: BLE001 - the page reports any failure
        db.session.rollback()
        return Check(_("Base de données"), False, str(exc)[:200])


def redis() -> Check:
    try:
        conn = get_redis()
        _result, ms = _timed(conn.ping)
        return Check("Redis", True, f"{describe(conn)}, {ms:.1f} ms")
    except Exception as exc:  # noqa: BLE001
        return Check("Redis", False, str(exc)[:200])


def workers() -> Check:
    try:
        rows = workers_status()
        max_age = current_app.config["WORKER_HEARTBEAT_MAX_AGE"]
        alive = [w for w in rows if w["age"] is not None and w["age"] <= max_age]
        waiting = len(get_queue())
        if not alive:
            return Check(_("Tâches de fond (worker)"), False,
                         _("Aucun worker actif : les envois aux éco-organismes et la lecture automatique attendent. %(n)s tâche(s) en file.", n=waiting))
        ages = ", ".join(f"{w['age']:.0f} s" for w in alive)
        return Check(_("Tâches de fond (worker)"), True,
                     _("%(n)s worker(s) actif(s), dernier signe de vie il y a %(ages)s ; %(q)s tâche(s) en file.", n=len(alive), ages=ages, q=waiting))
    except Exception as exc:  # noqa: BLE001
        return Check(_("Tâches de fond (worker)"), False, str(exc)[:200])


def tesseract() -> Check:
    name = _("Lecture automatique (Tesseract)")
    if not shutil.which("tesseract"):
        return Check(name, False, _("Tesseract n'est pas installé : lecture automatique indisponible."))
    try:
        version = pytesseract.get_tesseract_version()
        langs = set(pytesseract.get_languages(config=""))
        if "fra" not in langs:
            return Check(name, False, _("Tesseract %(v)s sans le français (paquet tesseract-ocr-fra).", v=version))
        return Check(name, True, f"Tesseract {version}, " + ", ".join(sorted(langs & {"fra", "eng"})))
    except Exception as exc:  # noqa: BLE001
        return Check(name, False, str(exc)[:200])


def pdf() -> Check:
    name = _("Génération PDF (WeasyPrint)")
    try:
        import weasyprint  # here, not at the top: a missing Pango raises at import, and this page reports it

        return Check(name, True, f"WeasyPrint {weasyprint.__version__}")
    except Exception as exc:  # noqa: BLE001 - missing Pango raises OSError at import
        return Check(name, False, str(exc)[:200])


def storage() -> Check:
    root = current_app.config["STORAGE_DIR"]
    os.makedirs(root, exist_ok=True)
    free = shutil.disk_usage(root).free / 1024**3
    return Check(_("Stockage des fichiers"), free > 1, _("%(gb).1f Go libres", gb=free))


def backup() -> Check:
    """The last backup (`qualirepar.backup`), and a warning when there is none or it is older than BACKUP_MAX_AGE_HOURS."""
    name = _("Sauvegarde")
    try:
        backups = list_backups()
    except Exception as exc:  # noqa: BLE001
        return Check(name, False, str(exc)[:200])
    if not backups:
        return Check(name, False, _("Aucune sauvegarde : lancez « flask backup create » ou attendez celle de la nuit (le worker et le planificateur doivent tourner)."))
    last = backups[0]
    hours = (utcnow() - last.created_at).total_seconds() / 3600
    detail = _("dernière il y a %(h).0f h (%(name)s, %(rows)s lignes, %(files)s fichiers), %(n)s gardée(s)",
               h=hours, name=last.path.name, rows=sum(last.manifest["tables"].values()), files=len(last.manifest["files"]), n=len(backups))
    if hours > current_app.config["BACKUP_MAX_AGE_HOURS"]:
        return Check(name, False, _("Sauvegarde trop ancienne : ") + detail)
    return Check(name, True, detail)


def eco_sandbox() -> Check:
    url = current_app.config["ECO_SANDBOX_URL"].rstrip("/") + "/_sandbox/health"
    name = _("Bac à sable des éco-organismes")
    try:
        resp = requests.get(url, timeout=2)
        resp.raise_for_status()
        return Check(name, True, _("joignable sur %(url)s, %(n)s demande(s)", url=current_app.config["ECO_SANDBOX_URL"], n=resp.json()["claims"]))
    except Exception as exc:  # noqa: BLE001
        return Check(name, False, _("injoignable sur %(url)s : %(err)s", url=current_app.config["ECO_SANDBOX_URL"], err=type(exc).__name__))


def run_all() -> list[Check]:
    checks = [database(), redis(), workers(), tesseract(), pdf(), storage(), backup()]
    if _uses_sandbox():
        checks.append(eco_sandbox())
    return checks


def _uses_sandbox() -> bool:
    return db.session.execute(db.select(EcoAccount.id).where(EcoAccount.environment == "sandbox").limit(1)).first() is not None
