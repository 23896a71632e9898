"""ecosystem's "API réparateurs" (contract §2): bearer token from /login, PascalCase JSON."""
from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from decimal import Decimal

from . import statuses
from .base import EcoClient
from .errors import AuthError, ContractViolation, EcoError, FieldError, NotFound, ValidationFailed
from .http import Transport, json_of, parse_date, raise_for_common, require
from .types import (Attachment, BusinessSheet, Catalog, CatalogBrand, CatalogProduct, ClaimPayload, ClaimState, Code,
                    DatedAmount, Partners, Place)

CATALOG_QUERY = {"brands": "true", "repair-codes": "true", "reimbursement-amounts": "true",
                 "product-sheets": "true", "threshold": "true", "ecologic": "true"}
PARTNERS_QUERY = {"subcontractor": "false", "repair-places": "true", "business-sheets": "true"}
FILE_TYPES = {"invoice": "invoice", "nameplate": "serial_tag", "device_photo": "device_picture",
              "consumer_validation": "claim_request"}
OTHER_BRAND_ID = "0000"


class MemoryTokenStore:
    """Tokens kept in this process; the app passes a Redis-backed store shared by its workers."""

    def __init__(self):
        self._data: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            token, expires = self._data.get(key, (None, 0))
            return token if token and expires > time.time() else None

    def set(self, key: str, token: str, ttl: int) -> None:
        with self._lock:
            self._data[key] = (token, time.time() + ttl)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


def _date(value):
    return parse_date(value, "ecosystem")


def _money(value) -> dict:
    return {"amount": float(value), "currency": "EUR"}


def _decimal(value, what: str) -> Decimal:
    try:
        return Decimal(str(value))
    except Exception:  # noqa: BLE001
        raise ContractViolation(f"ecosystem : montant illisible pour {what} : « {value} »") from None


class EcosystemClient(EcoClient):
    organism = "ecosystem"
    label = "ecosystem"
    catalog_id_attr, site_id_attr = "ecosystem_id", "ecosystem_place_id"
    other_brand_id = OTHER_BRAND_ID  # a brand outside its list (DOMAIN.md, brands.csv)
    required_fields = ("repairer_id", "site_id", "product_id", "brand_id", "serial_number", "repair_code", "customer.email")
    dates_authoritative = True

    @classmethod
    def needs_consumer_validation(cls, claim: ClaimPayload) -> bool:
        return bool(claim.circular_parts)  # the consent to a reused part

    @classmethod
    def brand_payer(cls, covered: bool | None) -> str | None:
        return "ecosystem" if covered else "ecologic"  # its isEcosystemBrand decides who pays (DOMAIN.md §2.3)

    def __init__(self, transport: Transport, username: str, password: str, tokens=None):
        self.t = transport
        self.username = username
        self.password = password
        self.tokens = tokens or MemoryTokenStore()
        # The token belongs to these exact credentials: another shop typing the same login gets none.
        digest = hashlib.sha256(f"{transport.base_url}\n{username}\n{password}".encode()).hexdigest()[:32]
        self._token_key = f"eco-token:{digest}"

    # --- authentication -------------------------------------------------------------------------
    def _login(self) -> str:
        resp = self.t.send("POST", "/login", safe=True, json_body={"username": self.username, "password": self.password})
        if resp.status_code in (400, 401, 403):
            raise AuthError("ecosystem : identifiant ou mot de passe refusé", resp.status_code)
        self._raise(resp)
        data = json_of(resp, "ecosystem")
        token = data.get("IdToken") or data.get("AccessToken") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ContractViolation("ecosystem : pas de jeton (IdToken) dans la réponse de /login")
        try:
            ttl = int(float(data.get("ExpiresIn") or 3600))
        except (TypeError, ValueError):
            ttl = 3600
        self.tokens.set(self._token_key, token, max(ttl - 60, 30))
        return token

    def _call(self, method: str, path: str, *, safe: bool, **kwargs):
        """A call with the bearer token; a 401 renews the token once."""
        token = self.tokens.get(self._token_key)
        fresh = token is None
        if fresh:
            token = self._login()
        resp = self.t.send(method, path, safe=safe, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}, **kwargs)
        if resp.status_code == 401 and not fresh:
            self.tokens.delete(self._token_key)
            token = self._login()
            resp = self.t.send(method, path, safe=safe, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}, **kwargs)
        if resp.status_code == 401:
            raise AuthError("ecosystem : jeton refusé après renouvellement", 401)
        return resp

    def _raise(self, resp) -> None:
        """Turn an error answer into a typed error: {"error": {"code", "status", "message"}}."""
        if resp.status_code < 400:
            return
        raise_for_common(resp, "ecosystem")
        try:
            err = resp.json().get("error") or {}
        except (ValueError, AttributeError):
            err = {}
        code, message = err.get("status"), err.get("message") or f"HTTP {resp.status_code}"
        if resp.status_code == 400 or resp.status_code == 422:
            raise ValidationFailed(f"ecosystem : {message}", [FieldError(_field_of(code, message), message)],
                                   resp.status_code, code)
        raise EcoError(f"ecosystem : {message}", resp.status_code, code)

    def check_credentials(self) -> None:
        self.tokens.delete(self._token_key)
        self._login()

    # --- reference data -------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        resp = self._call("GET", "/catalog", safe=True, params=CATALOG_QUERY)
        self._raise(resp)
        results = require(json_of(resp, "ecosystem"), "results", "ecosystem", list)
        products, brands = [], {}
        for row in results:
            for b in row.get("Brands") or []:
                bid = require(b, "BrandID", "ecosystem")
                brands[bid] = CatalogBrand(str(bid), b.get("BrandName") or "", bool(b.get("isEcosystemBrand")))
            sheet = row.get("ProductSheet") or {}
            products.append(CatalogProduct(
                product_id=str(require(row, "ProductID", "ecosystem")), name=row.get("ProductName") or "",
                eligible_from=_date(row.get("ProductEligibleFrom")), eligible_until=_date(row.get("ProductEligibleUntil")),
                sheet_type=sheet.get("Type") if isinstance(sheet, dict) else None,
                amounts=[DatedAmount(_decimal(a.get("Amount"), "Amount"), _date(a.get("AmountValidFrom")), _date(a.get("AmountValidUntil")))
                         for a in row.get("Amounts") or []],
                thresholds=[DatedAmount(_decimal(t.get("MinimumAmount"), "MinimumAmount"), _date(t.get("AmountValidFrom")), _date(t.get("AmountValidTo")))
                            for t in row.get("Threshold") or []],
                repair_codes=[Code(str(c.get("Code")), c.get("Description") or "") for c in row.get("RepairCode") or []],
                brand_ids=[str(b.get("BrandID")) for b in row.get("Brands") or []],
            ))
        return Catalog("ecosystem", products, list(brands.values()))

    def partners(self) -> Partners:
        resp = self._call("GET", "/partners", safe=True, params=PARTNERS_QUERY)
        self._raise(resp)
        items = require(json_of(resp, "ecosystem"), "Items", "ecosystem", list)
        ids, places, sheets = [], [], []
        for item in items:
            ids.append(str(require(item, "RepairerID", "ecosystem")))
            for p in item.get("RepairPlaces") or []:
                places.append(Place(str(require(p, "RepairPlaceID", "ecosystem")),
                                    p.get("AlternativeName") or p.get("CorporateName") or "", p.get("PostalCode"), p.get("City")))
            for s in item.get("BusinessSheets") or []:
                sheets.append(BusinessSheet(str(s.get("Type")), s.get("NumberId"), s.get("Description"),
                                            _date(s.get("ValidFrom")), _date(s.get("ValidTo"))))
        return Partners("ecosystem", ids, places, sheets)

    # --- claims ---------------------------------------------------------------------------------
    def required_attachments(self, claim: ClaimPayload) -> set[str]:
        required = {"invoice", "nameplate"}
        if claim.circular_parts:
            required.add("consumer_validation")  # reject reason 14: PIEC without consent
        return required

    def claim_body(self, c: ClaimPayload) -> dict:
        product = {"ProductID": c.product_id, "BrandID": c.brand_id, "ProductIdentificationNumber": c.serial_number}
        if c.brand_id == OTHER_BRAND_ID:
            product["PartnerProduct"] = c.brand_name or ""
        if c.repair_code:
            product["RepairTypeCode"] = c.repair_code
        if c.symptom_code:
            product["IrisCode"] = c.symptom_code
        if c.commercial_reference:
            product["CommercialReference"] = c.commercial_reference
        cust = c.customer
        customer = {"Title": cust.title, "LastName": cust.last_name, "FirstName": cust.first_name,
                    "Email": cust.email or "", "StreetLine1": cust.street, "PostalCode": cust.postcode,
                    "City": cust.city, "Country": cust.country}
        if cust.phone:
            customer["PhoneNumber"] = french_phone(cust.phone)
        bill = {"TotalAmountInclVAT": _money(c.total_incl_vat), "AmountCovered": _money(c.bonus)}
        if c.spare_parts_cost is not None:
            bill["SparePartsCost"] = _money(c.spare_parts_cost)
        body = {"RepairDate": c.repair_date.isoformat(), "PurchaseOrderByCustomer": c.reference,
                "RepairerId": c.repairer_id, "RepairPlaceID": c.site_id, "Product": product, "Customer": customer,
                "Bill": bill,
                "SpareParts": {"NewSparePartsAmount": c.new_parts, "SecondHandSparePartsAmount": c.second_hand_parts,
                               "CircularEconomyPartsAmount": c.circular_parts}}
        return body

    def create_claim(self, claim: ClaimPayload) -> ClaimState:
        resp = self._call("POST", "/reimbursement-claims/new_claim", safe=False, json_body=self.claim_body(claim))
        self._raise(resp)
        return self._state(json_of(resp, "ecosystem"))

    def attach(self, external_id: str, attachment: Attachment) -> None:
        meta = {"FileName": attachment.filename, "FileType": FILE_TYPES[attachment.kind],
                "FileSizeInMB": max(1, math.ceil(len(attachment.data) / 1024 / 1024 * 10) / 10)}
        resp = self._call("POST", f"/reimbursement-claims/{external_id}/upload-file", safe=False, json_body=meta)
        if resp.status_code == 400 and _error_status(resp) == "TYPE_DE_FICHIER_EXISTANT" and attachment.kind != "device_photo":
            return  # already there: an earlier attempt uploaded it and lost the answer
        self._raise(resp)
        url = require(json_of(resp, "ecosystem"), "url", "ecosystem", str)
        put = self.t.send("PUT", url, safe=True, data=attachment.data,
                          headers={"Content-Type": attachment.content_type}, record_body={"bytes": len(attachment.data)})
        if put.status_code != 200:
            raise EcoError(f"ecosystem : dépôt du fichier refusé (HTTP {put.status_code})", put.status_code)

    def submit(self, external_id: str) -> ClaimState:
        resp = self._call("POST", f"/reimbursement-claims/{external_id}/confirm-claim", safe=False, json_body={})
        self._raise(resp)
        data = json_of(resp, "ecosystem")
        text = require(data, "RequestStatus", "ecosystem", str)
        return ClaimState(external_id, statuses.normalise("ecosystem", text), text,
                          service_order=data.get("SapServiceOrder"), raw=data)

    def status(self, external_id: str) -> ClaimState:
        resp = self._call("GET", f"/reimbursement-claims/{external_id}", safe=True)
        self._raise(resp)
        items = require(json_of(resp, "ecosystem"), "Items", "ecosystem", list)
        if not items:
            raise NotFound(f"ecosystem : demande {external_id} introuvable", 404)
        return self._state(items[0])

    def list_claims(self) -> list[ClaimState]:
        resp = self._call("GET", "/reimbursement-claims", safe=True)
        self._raise(resp)
        return [self._state(item) for item in require(json_of(resp, "ecosystem"), "Items", "ecosystem", list)]

    def delete_draft(self, external_id: str) -> None:
        resp = self._call("DELETE", f"/reimbursement-claims/{external_id}", safe=False)
        self._raise(resp)

    def _state(self, data: dict) -> ClaimState:
        claim_id = str(require(data, "ReimbursementClaimID", "ecosystem"))
        text = require(data, "RequestStatus", "ecosystem", str)
        bill = data.get("Bill") or {}
        covered = (bill.get("AmountCovered") or {}).get("amount") if isinstance(bill, dict) else None
        return ClaimState(claim_id, statuses.normalise("ecosystem", text), text,
                          reference=data.get("PurchaseOrderByCustomer"), service_order=data.get("SapServiceOrder"),
                          reject_reason=data.get("RejectReason") or None,
                          amount_covered=Decimal(str(covered)) if covered is not None else None, raw=data)


def _error_status(resp) -> str | None:
    try:
        return (resp.json().get("error") or {}).get("status")
    except (ValueError, AttributeError):
        return None


def french_phone(phone: str) -> str:
    """+33 6 12 34 56 78, 0033…, 06 12… -> 0612345678 (the 10 digits ecosystem expects)."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits[-10:]


def _field_of(code: str | None, message: str) -> str:
    """The field an ecosystem error message is about: a quoted property, or the file type."""
    if code == "PIECE_JOINTE_MANQUANTE" or code == "TYPE_DE_FICHIER_EXISTANT":
        quoted = re.findall(r"'([a-z_]+)'", message)
        return "AttachedFiles." + (quoted[0] if quoted else "")
    quoted = re.findall(r"'([A-Za-z_.]+)'", message)
    return quoted[0] if quoted else (code or "")
