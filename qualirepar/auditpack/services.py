"""Audit packs built by a worker (a period with more bons to render than a request can wait for):
requesting one, building it into a stored file, and the nightly purge. The pack's row says where
it stands; the person who asked is told (a notification, and an e-mail if they chose so) when it is
ready or has failed. The zip itself is `build.build`'s."""
from __future__ import annotations

import datetime as dt
import logging
import tempfile

from flask import current_app
from flask_babel import gettext as _

from ..audit import note
from ..claims.notify import tell
from ..core import csvfr
from ..core.clock import utcnow
from ..core.queue import start
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import store_checked
from ..files.storage import get_storage
from ..shops.models import Shop, User
from .build import audit_changes, build, filename
from .models import STATUSES, AuditPack

log = logging.getLogger(__name__)
JOB = "qualirepar.auditpack.tasks.build_audit_pack"
JOB_TIMEOUT = 3600  # a year of a busy shop's bons, rendered at about a tenth of a second each
PACK_KEEP_DAYS = 30
QUEUED, BUILDING, READY, FAILED, EXPIRED = STATUSES  # a pack's life, named once


def link(pack: AuditPack) -> str:
    """The pack's page, as a notification links to it (no request is needed: a worker writes it)."""
    return f"{current_app.blueprints['auditpack'].url_prefix}/dossiers/{pack.id}"


def request_pack(period_from: dt.date, period_to: dt.date, include_bons: bool, user: User) -> AuditPack:
    """Record the request and queue its job (the caller has checked the period)."""
    pack = AuditPack(period_from=period_from, period_to=period_to, include_bons=include_bons, requested_by_id=user.id)
    db.session.add(pack)
    db.session.commit()
    start(pack, JOB, pack.shop_id, pack.id, job_timeout=JOB_TIMEOUT)
    return pack


def _tell(pack: AuditPack, text: str) -> None:
    user = db.session.get(User, pack.requested_by_id) if pack.requested_by_id else None
    if user is not None:
        tell([user], text, link(pack))


def build_pack(pack: AuditPack) -> AuditPack:
    """Build the pack's zip now into a stored file, progress written as the bons are added; a
    failure is kept on the row (its page shows it) and told, never lost."""
    pack.status, pack.error, pack.bons_done = BUILDING, None, 0
    db.session.commit()
    user = db.session.get(User, pack.requested_by_id) if pack.requested_by_id else None
    shop = db.session.get(Shop, pack.shop_id)
    period = _("du %(a)s au %(b)s", a=csvfr.day(pack.period_from), b=csvfr.day(pack.period_to))

    def progress(done: int, total: int) -> None:
        pack.bons_done, pack.bons_total = done, total
        db.session.commit()

    try:
        with tempfile.TemporaryFile() as out:
            summary = build(pack.period_from, pack.period_to, out, include_bons=pack.include_bons, progress=progress,
                            generated_by=f"{user.display_name} ({user.email})" if user else "")
            out.seek(0)
            data = out.read()
        stored = store_checked(data, filename(shop, pack.period_from, pack.period_to), "audit_pack", "application/zip", ".zip",
                               created_by_id=pack.requested_by_id)
        db.session.flush()
        pack.file_id, pack.size, pack.status, pack.finished_at = stored.id, len(data), READY, utcnow()
        note(shop, "audit_pack_built", audit_changes(summary, pack.period_from, pack.period_to))
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - the failure is shown on the pack's page, not lost
        db.session.rollback()
        log.exception("audit pack %s failed", pack.id)
        pack.status, pack.error, pack.finished_at = FAILED, str(exc)[:300], utcnow()
        db.session.commit()
        _tell(pack, _("Le dossier d'audit %(p)s n'a pas pu être préparé.", p=period))
        return pack
    _tell(pack, _("Le dossier d'audit %(p)s est prêt à télécharger.", p=period))
    return pack


def purge_old_packs(days: int = PACK_KEEP_DAYS) -> int:
    """Zips built more than `days` days ago leave the file store: the pack's row stays, marked
    expired, so its page and its notification say it is gone; the audit log keeps that it was
    built. A new one is built from the same page in a few minutes."""
    limit = utcnow() - dt.timedelta(days=days)
    packs = db.session.execute(db.select(AuditPack).where(AuditPack.status == READY, AuditPack.finished_at < limit),
                               execution_options={"all_shops": True}).scalars().all()
    keys = []
    for pack in packs:
        stored = db.session.get(StoredFile, pack.file_id, execution_options={"all_shops": True}) if pack.file_id else None
        if stored is not None:
            keys.append(stored.storage_key)
            db.session.delete(stored)
        pack.status, pack.file_id = EXPIRED, None
    db.session.commit()
    storage = get_storage()
    for key in keys:
        storage.delete(key)
    return len(packs)
