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


def canonical(obj: Any) -> bytes:
    return json.dumps(plain(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
