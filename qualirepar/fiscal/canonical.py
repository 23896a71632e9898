"""One byte serialisation of a record, the same on every machine, that the chain hashes and signs:
JSON with sorted keys and no spaces, UTF-8, decimals as written ("12.30", never a float), dates and
instants in ISO 8601 (instants in UTC, to the microsecond)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """A value as JSON holds it in the journal: Decimal -> "12.30", date -> "2026-12-06", instant -> UTC ISO."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # SQLite hands stored instants back naive: they are UTC
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        raise TypeError("a float has no canonical form in the fiscal journal: use Decimal")
    return value


def _default(value: Any) -> Any:
    if isinstance(value, (Decimal, dt.date)):  # dt.datetime is a dt.date
        return plain(value)
    raise TypeError(f"{type(value).__name__} has no canonical form in the fiscal journal")


def canonical(obj: Any) -> bytes:
    """The bytes hashed: what `plain` gives, serialised by the C encoder (the journal's hot path).
    Floats are refused by `plain` when a record is written (journal.record), not here."""
    return json.dumps(obj, default=_default, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
