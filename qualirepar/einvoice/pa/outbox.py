"""The outbox provider: the file is written to a folder of the shop under the instance folder
(`<instance>/pa_outbox/shop-<id>/`), for a PA whose client the shop runs itself (an upload folder,
an accountant's tool). Nothing leaves the machine; the file counts as deposited once written."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from decimal import Decimal
from pathlib import Path

from .base import DEPOSEE, ENCAISSEE, Lifecycle, Meta, PAError, PAProvider


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "fichier"


class OutboxProvider(PAProvider):
    name = "outbox"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def folder(self, shop_id: int) -> Path:
        return self.root / f"shop-{shop_id}"

    def submit(self, data: bytes, meta: Meta) -> str:
        folder = self.folder(meta.shop_id)
        name = f"{_safe(meta.key)}--{_safe(meta.filename)}"
        target = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not target.exists():  # the same key twice: the file already there is the deposit
                tmp = target.with_suffix(target.suffix + ".part")
                tmp.write_bytes(data)
                tmp.replace(target)  # atomic: a reader never sees half a file
        except OSError as exc:
            raise PAError(f"outbox not writable: {exc}") from exc
        return f"outbox:shop-{meta.shop_id}/{name}"

    def status(self, ref: str) -> Lifecycle:
        name = ref.split("/", 1)[-1]
        paid = self.root / ref.removeprefix("outbox:").split("/", 1)[0] / f"{name}--encaissee.json"
        return Lifecycle(ENCAISSEE if paid.exists() else DEPOSEE)

    def report_paid(self, ref: str, meta: Meta, paid_on: dt.date, amount: Decimal) -> Lifecycle:
        """A status file beside the invoice's, for whoever forwards the folder to the PA."""
        name = ref.split("/", 1)[-1]
        target = self.folder(meta.shop_id) / f"{name}--encaissee.json"
        try:
            target.write_text(json.dumps({"status": ENCAISSEE, "invoice": meta.number, "paid_on": paid_on.isoformat(),
                                          "amount": str(amount)}), encoding="utf-8")
        except OSError as exc:
            raise PAError(f"outbox not writable: {exc}") from exc
        return Lifecycle(ENCAISSEE)
