"""The client of the local PA sandbox (`einvoice.pa_sandbox`), over HTTP like a real PA's API:

    POST {base}/api/v1/flows      multipart: file, meta (JSON); header Idempotency-Key
                                  -> 201 {"id", "status", "reason", "history"}
    GET  {base}/api/v1/flows/<id> -> 200 the same

A connection error, a timeout or a 5xx is a PAError (the job tries again later); a 4xx is a bug of
ours (a ContractError, not retried)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import requests

from .base import LIFECYCLE, Lifecycle, Meta, PAError, PAProvider


class ContractError(Exception):
    """The sandbox answered something the contract does not allow (our request or its answer is wrong)."""


class SandboxProvider(PAProvider):
    name = "sandbox"

    def __init__(self, base_url: str, timeout: tuple[float, float] = (3.0, 20.0), session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = session or requests.Session()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            resp = self.http.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise PAError(f"PA sandbox unreachable: {exc}") from exc
        if resp.status_code >= 500:
            raise PAError(f"PA sandbox answered {resp.status_code}")
        if resp.status_code >= 400:
            raise ContractError(f"PA sandbox answered {resp.status_code}: {resp.text[:200]}")
        try:
            body = resp.json()
        except ValueError as exc:
            raise PAError("PA sandbox answered something that is not JSON") from exc
        if not isinstance(body, dict) or body.get("status") not in LIFECYCLE or not body.get("id"):
            raise ContractError(f"unexpected answer from the PA sandbox: {str(body)[:200]}")
        return body

    def submit(self, data: bytes, meta: Meta) -> str:
        body = self._call("POST", "/api/v1/flows", headers={"Idempotency-Key": meta.key},
                          files={"file": (meta.filename, data)},
                          data={"meta": json.dumps({"kind": meta.kind, "number": meta.number, "shop_id": meta.shop_id,
                                                    "seller_siren": meta.seller_siren, "buyer_siren": meta.buyer_siren})})
        return str(body["id"])

    def status(self, ref: str) -> Lifecycle:
        body = self._call("GET", f"/api/v1/flows/{ref}")
        return Lifecycle(body["status"], body.get("reason"), history=list(body.get("history") or []))

    def report_paid(self, ref: str, meta: Meta, paid_on: dt.date, amount: Decimal) -> Lifecycle:
        body = self._call("POST", f"/api/v1/flows/{ref}/statuses", headers={"Idempotency-Key": meta.key + ":encaissee"},
                          json={"status": "encaissee", "paid_on": paid_on.isoformat(), "amount": str(amount)})
        return Lifecycle(body["status"], body.get("reason"), history=list(body.get("history") or []))
