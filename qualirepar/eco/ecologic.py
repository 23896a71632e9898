"""Ecologic's "API GesCo Fonds Réparations EEE" v1 (contract §3): api_key header, RPC paths,
every answer in the {ResponseData, ResponseStatus, IsValid, ...} envelope."""
from __future__ import annotations

import base64
import os
from decimal import Decimal

from . import statuses
from .base import EcoClient
from .errors import ContractViolation, EcoError, FieldError, NotFound, ValidationFailed
from .http import Transport, json_of, parse_date, raise_for_common, require
from .types import (Attachment, Catalog, CatalogBrand, CatalogProduct, ClaimPayload, ClaimState, Code, Eligibility,
                    Partners, Place)

DOCUMENT_TYPES = {"invoice": "INVOICE", "nameplate": "NAMEPLATE", "device_photo": "PRODUCTPICTURE",
                  "consumer_validation": "CONSUMERVALIDATION"}
TITLES = {"Mlle": 1, "Mme": 2, "M.": 3, "Société": 4}
FRANCE = "250"  # ISO 3166 numeric
# Name of the repair-date parameter of calculateecosupport since 1.4: not in any source (contract §3.5).
REPAIR_DATE_PARAM = "repairDate"


def _date(value):
    return parse_date(value, "Ecologic")


def _money(value) -> dict:
    return {"Amount": float(value), "Currency": "EUR"}


def _invalid_claim(resp) -> bool:
    return resp.status_code == 500 and "Invalid claim" in resp.text


def _errors(data) -> list[FieldError]:
    rows = data.get("ValidationErrors") if isinstance(data, dict) else None
    return [FieldError(str(e.get("Field") or ""), str(e.get("ErrorMessage") or ""), (e.get("MessageType") or "E") == "E")
            for e in rows or [] if isinstance(e, dict)]


class EcologicClient(EcoClient):
    organism = "ecologic"
    label = "Ecologic"
    catalog_id_attr, site_id_attr = "ecologic_id", "ecologic_site_id"
    required_fields = ("site_id", "product_id", "brand_id", "serial_number", "repair_code", "symptom_code", "customer.email")

    @classmethod
    def needs_consumer_validation(cls, claim: ClaimPayload) -> bool:
        return not claim.auto_validation  # unless the consumer validates by itself

    def __init__(self, transport: Transport, api_key: str):
        self.t = transport
        self.t.permanent = _invalid_claim
        self.api_key = api_key

    def _send(self, method: str, path: str, *, safe: bool, **kwargs) -> tuple[int, dict]:
        resp = self.t.send(method, path, safe=safe, headers={"api_key": self.api_key, "Accept": "application/json"}, **kwargs)
        raise_for_common(resp, "Ecologic")
        body = json_of(resp, "Ecologic")
        if not isinstance(body, dict) or "ResponseData" not in body:
            raise ContractViolation(f"Ecologic : réponse sans enveloppe ResponseData (HTTP {resp.status_code})", resp.status_code)
        if resp.status_code >= 400:
            data = body.get("ResponseData")
            message = body.get("ResponseErrorMessage") or body.get("ResponseMessage") or f"HTTP {resp.status_code}"
            if _invalid_claim(resp):
                raise NotFound(f"Ecologic : demande inconnue ({message})", resp.status_code)
            errors = _errors(data) or [FieldError("", message)]
            if resp.status_code == 400:
                raise ValidationFailed(f"Ecologic : {message}", errors, resp.status_code)
            raise EcoError(f"Ecologic : {message}", resp.status_code)
        return resp.status_code, body

    def _list(self, path: str) -> list:
        _, body = self._send("GET", path, safe=True)
        data = body["ResponseData"]
        if not isinstance(data, list):
            raise ContractViolation(f"Ecologic : {path} devait renvoyer une liste")
        return data

    def check_credentials(self) -> None:
        self._list("getrepairsitesbyats")

    def catalog(self) -> Catalog:
        brands = [CatalogBrand(str(require(b, "BrandId", "Ecologic")), b.get("BrandName") or "", True)
                  for b in self._list("printbrandlist")]
        products = []
        for p in self._list("printproducttypewithlabellist"):
            products.append(CatalogProduct(
                product_id=str(require(p, "ProductId", "Ecologic")), name=p.get("ProductName") or "",
                eligible_from=_date(p.get("EligibilityStartDate")), eligible_until=_date(p.get("EligibilityEndDate")),
                repair_codes=[Code(str(c.get("Code")), c.get("Label") or "") for c in p.get("RepairCodes") or []],
                symptom_codes=[Code(str(c.get("Code")), c.get("Label") or "") for c in p.get("IRISSymtoms") or []],
            ))
        return Catalog("ecologic", products, brands)

    def partners(self) -> Partners:
        places = [Place(str(require(s, "SiteId", "Ecologic")), s.get("CommercialName") or s.get("Name") or "",
                        s.get("Zip"), s.get("City"), "repair") for s in self._list("getrepairsitesbyats")]
        try:
            places += [Place(str(require(s, "SiteId", "Ecologic")), s.get("CommercialName") or s.get("Name") or "",
                             s.get("Zip"), s.get("City"), "deposit") for s in self._list("getdepositsitesbyats")]
        except EcoError as exc:  # v1 may not have it (contract §3.4)
            if exc.status != 404:
                raise
        return Partners("ecologic", [], places)

    def eligibility(self, product_id, brand_id, repair_date, total_incl_vat, repair_code=None, symptom_code=None) -> Eligibility:
        params = {"totalAmountInclVAT": f"{Decimal(total_incl_vat):.2f}", "totalAmountInclVATCurrency": "EUR",
                  "brandId": brand_id, "productId": product_id, REPAIR_DATE_PARAM: repair_date.isoformat()}
        if symptom_code:
            params["iRISSymptom"] = symptom_code
        if repair_code:
            params["repairCode"] = repair_code
        try:
            _, body = self._send("GET", "calculateecosupport", safe=True, params=params)
        except ValidationFailed as exc:
            return Eligibility(False, None, None, [e.message for e in exc.errors])
        data = body["ResponseData"]
        row = data[0] if isinstance(data, list) and data else data
        if not isinstance(row, dict):
            raise ContractViolation("Ecologic : réponse de calculateecosupport vide")
        support = row.get("SupportAmount")
        amount = support.get("Amount") if isinstance(support, dict) else support
        return Eligibility(amount is not None and Decimal(str(amount)) > 0,
                           Decimal(str(amount)) if amount is not None else None,
                           str(row.get("EcoOrganizationId")) if row.get("EcoOrganizationId") is not None else None,
                           [e.message for e in _errors(row)])

    # --- claims ---------------------------------------------------------------------------------
    def required_attachments(self, claim: ClaimPayload) -> set[str]:
        required = {"invoice", "nameplate"}
        if not claim.auto_validation:
            required.add("consumer_validation")
        return required

    def claim_body(self, c: ClaimPayload) -> dict:
        cust = c.customer
        quote = {"TotalAmountInclVAT": _money(c.total_incl_vat), "SupportAmount": _money(c.bonus)}
        for key, value in (("LaborCost", c.labor_cost), ("SparePartsCost", c.spare_parts_cost),
                           ("TravelCost", c.travel_cost), ("TotalAmountExclVAT", c.total_excl_vat)):
            if value is not None:
                quote[key] = _money(value)
        return {
            "Consumer": {"Title": TITLES.get(cust.title, 3), "LastName": cust.last_name, "FirstName": cust.first_name,
                         "Address1": cust.street, "Zip": cust.postcode, "City": cust.city, "Country": FRANCE,
                         "Phone": cust.phone or "", "Email": cust.email or "", "AutoValidation": c.auto_validation},
            "Product": {"ProductId": c.product_id, "BrandId": c.brand_id, "CommercialRef": c.commercial_reference or "",
                        "SerialNumber": c.serial_number,
                        "PurchaseDate": c.purchase_date.isoformat() if c.purchase_date else None,
                        "IRISCondition": c.iris_condition or "", "IRISSymptom": c.symptom_code or "",
                        "IRISSection": c.repair_code or "",  # the repair code goes here (contract §3.6)
                        "FailureDescription": c.failure_description or ""},
            "Quote": quote,
        }

    def _claim_params(self, c: ClaimPayload) -> dict:
        params = {"RepairEndDate": c.repair_date.isoformat(), "RepairSiteId": c.site_id, "ConsumerInvoiceNumber": c.reference}
        if c.quote_number:
            params["QuoteNumber"] = c.quote_number
        return params

    def create_claim(self, claim: ClaimPayload) -> ClaimState:
        _, body = self._send("POST", "createclaim", safe=False, params=self._claim_params(claim), json_body=self.claim_body(claim))
        return self._state(body["ResponseData"], claim.reference)

    def update_claim(self, external_id: str, claim: ClaimPayload, submit: bool = False) -> ClaimState:
        params = {"ClaimId": external_id, **self._claim_params(claim)}
        if submit:
            params["Submit"] = "true"
        _, body = self._send("POST", "updateclaim", safe=False, params=params, json_body=self.claim_body(claim))
        return self._state(body["ResponseData"], claim.reference)

    def attach(self, external_id: str, attachment: Attachment) -> None:
        stem, ext = os.path.splitext(attachment.filename)
        ext = ext.lstrip(".").lower() or {"application/pdf": "pdf", "image/png": "png"}.get(attachment.content_type, "jpg")
        params = {"ClaimId": external_id, "FileName": stem or attachment.kind, "FileExtension": ext,
                  "DocumentType": DOCUMENT_TYPES[attachment.kind]}
        self._send("POST", "AttachFile", safe=False, params=params,
                   json_body={"FileContent": base64.b64encode(attachment.data).decode()},
                   record_body={"FileContent": f"<{len(attachment.data)} octets>"})

    def submit(self, external_id: str) -> ClaimState:
        _, body = self._send("POST", "submitclaim", safe=False, params={"ClaimId": external_id}, json_body={})
        data = body["ResponseData"]
        if isinstance(data, dict) and data.get("IsValid") is False and not data.get("ValidationErrors"):
            return self.status(external_id)  # the remaining errors are only given by GetClaimStatus
        return self._state(data)

    def status(self, external_id: str) -> ClaimState:
        _, body = self._send("GET", "GetClaimStatus", safe=True, params={"ClaimId": external_id})
        return self._state(body["ResponseData"])

    def _state(self, data, reference: str | None = None) -> ClaimState:
        if not isinstance(data, dict):
            raise ContractViolation("Ecologic : ResponseData de la demande absent")
        claim_id = require(data, "ClaimId", "Ecologic")
        if not isinstance(claim_id, (int, str)) or not str(claim_id).strip():
            raise ContractViolation("Ecologic : ClaimId invalide")
        text = str(data.get("LastStatus") or "A finaliser")
        errors = _errors(data)
        status = statuses.normalise("ecologic", text)
        return ClaimState(str(claim_id), status, text, reference=reference, reject_reason=data.get("Comment") if status == "rejected" else None,
                          errors=errors, raw=data)
