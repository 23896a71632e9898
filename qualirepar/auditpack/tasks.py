"""The audit pack's jobs: building a pack asked for on its page, and the nightly purge of old zips."""
from __future__ import annotations

from flask import g

from ..core.queue import Periodic
from ..extensions import db
from ..tenancy import as_shop
from .models import AuditPack
from .services import READY, build_pack, purge_old_packs

SCHEDULE = [
    Periodic("audit-packs-purge", "qualirepar.auditpack.tasks.purge_audit_packs", "45 4 * * *", 300),  # every night at 04:45
]


def build_audit_pack(shop_id: int, pack_id: int) -> str:
    """Build the pack (`services.request_pack` queues this); a pack already built is left as it is."""
    g.actor = "dossier d'audit"
    with as_shop(shop_id):
        pack = db.session.get(AuditPack, pack_id)
        if pack is None or pack.status == READY:
            return "absent" if pack is None else pack.status
        build_pack(pack)
        return pack.status


def purge_audit_packs() -> int:
    """The nightly schedule: zips built more than 30 days ago leave the file store; how many."""
    return purge_old_packs()
