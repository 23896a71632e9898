"""bons/: one bon de prise en charge per order taken in during the period, copied as its claim sent
it to the organism when there is one, else rendered from the recorded data (signatures included)."""
from __future__ import annotations

import time
from typing import Callable

from sqlalchemy import func

from ...claims.models import Claim
from ...extensions import db
from ...files.models import StoredFile
from ...files.storage import get_storage
from ...intake import bon
from ...repairs.models import RepairOrder
from ..archive import Summary
from ..period import in_period
from .reading import batches

# Rendering one bon takes about 0.1 s (WeasyPrint, one page, two signatures; measured on the
# development machine): 150 renders keep the download under ~15-30 s, within a web worker's timeout.
MAX_RENDERED_BONS = 150
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def stored_bons(order_ids: list[int]) -> dict[int, StoredFile]:
    """The bon each order's claim sent to the organism (the signed bon, possibly replaced by a scan
    on the rejection workbench), when there is one: copied as it was sent rather than rendered again."""
    by_order: dict[int, int] = {}
    for order_id, attachments in db.session.execute(db.select(Claim.order_id, Claim.attachments).where(
            Claim.order_id.in_(order_ids)).order_by(Claim.id)):
        file_id = (attachments or {}).get("consumer_validation")
        if file_id:
            by_order[order_id] = int(file_id)  # the latest claim wins
    if not by_order:
        return {}
    files = {f.id: f for f in db.session.execute(db.select(StoredFile).where(StoredFile.id.in_(by_order.values()))).scalars()}
    return {order_id: files[file_id] for order_id, file_id in by_order.items() if file_id in files}


def _count(period_from, period_to) -> int:
    return db.session.execute(db.select(func.count(RepairOrder.id)).where(
        in_period(RepairOrder.intake_on, period_from, period_to))).scalar_one()


def count_bons_to_render(period_from, period_to) -> int:
    """How many bons of the period would be rendered (the others are copied from the claims)."""
    with_claim = db.session.execute(db.select(Claim.order_id, Claim.attachments).join(
        RepairOrder, Claim.order_id == RepairOrder.id).where(in_period(RepairOrder.intake_on, period_from, period_to))).all()
    copied = {order_id for order_id, attachments in with_claim if (attachments or {}).get("consumer_validation")}
    return _count(period_from, period_to) - len(copied)


def bons(zf, summary: Summary, period_from, period_to, progress: Callable[[int, int], None] | None = None) -> None:
    """Write the bons, telling `progress(done, total)` every ten bons and at the end."""
    storage = get_storage()
    query = (db.select(RepairOrder).where(in_period(RepairOrder.intake_on, period_from, period_to))
             .order_by(RepairOrder.intake_on, RepairOrder.id))
    total = _count(period_from, period_to)
    done = 0
    for batch in batches(query, 100, scalars=True):
        stored = stored_bons([order.id for order in batch])
        for order in batch:
            file = stored.get(order.id)
            if file is not None:
                data = storage.read(file.storage_key)
                ext = EXTENSIONS.get(file.content_type, "pdf")
                summary.bons_copied += 1
            else:
                started = time.perf_counter()
                data, ext = bon.render_pdf(order), "pdf"
                summary.render_seconds += time.perf_counter() - started
                summary.bons_rendered += 1
            zf.writestr(f"bons/{bon.filename(order).rsplit('.', 1)[0]}.{ext}", data)
            done += 1
            if progress is not None and (done % 10 == 0 or done == total):
                progress(done, total)
