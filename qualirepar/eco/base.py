"""The one interface both eco-organism clients implement."""
from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from decimal import Decimal

from .errors import NotSupported
from .types import Attachment, Catalog, ClaimPayload, ClaimState, Eligibility, Partners


class EcoClient(ABC):
    """What sets the two organisms apart is said here, as attributes and methods of each provider,
    never by comparing an organism's name elsewhere."""

    organism: str  # "ecosystem" or "ecologic"
    label: str
    #: the column of a product type or a brand that holds this organism's id (catalog.models)
    catalog_id_attr: str
    #: the column of a repair site that holds this organism's id (shops.models.RepairSite)
    site_id_attr: str
    #: the brand id sent for a brand outside the organism's list ("" when it has none)
    other_brand_id: str = ""
    #: the claim's fields the organism cannot do without (payload names, DOMAIN.md §4)
    required_fields: tuple[str, ...] = ()
    #: its catalog's eligibility dates win, even over a product another source created
    dates_authoritative: bool = False

    @classmethod
    def needs_consumer_validation(cls, claim: ClaimPayload) -> bool:
        """Whether the claim must carry the consumer's signed validation (the bon)."""
        return False

    @classmethod
    def brand_payer(cls, covered: bool | None) -> str | None:
        """Who pays the bonus on a brand of this organism's list, when its list says (None: it does not)."""
        return None

    @abstractmethod
    def check_credentials(self) -> None:
        """Raise AuthError if the shop's credentials are refused."""

    @abstractmethod
    def catalog(self) -> Catalog:
        """Products with dated amounts and thresholds, brands, repair and symptom codes."""

    @abstractmethod
    def partners(self) -> Partners:
        """The shop as the organism knows it: repairer ids, repair / deposit sites, fiches métier."""

    def eligibility(self, product_id: str, brand_id: str, repair_date: dt.date, total_incl_vat: Decimal,
                    repair_code: str | None = None, symptom_code: str | None = None) -> Eligibility:
        """The organism's own calculation of the bonus, where its API has one."""
        raise NotSupported(f"{self.label} ne propose pas de calcul du bonus par API (montants du catalogue)")

    @abstractmethod
    def required_attachments(self, claim: ClaimPayload) -> set[str]:
        """Attachment kinds the organism demands for this claim."""

    @abstractmethod
    def create_claim(self, claim: ClaimPayload) -> ClaimState:
        """Create the claim (not repeatable: each call creates another one)."""

    @abstractmethod
    def attach(self, external_id: str, attachment: Attachment) -> None:
        """Attach one file to the claim."""

    def update_claim(self, external_id: str, claim: ClaimPayload, submit: bool = False) -> ClaimState:
        raise NotSupported(f"{self.label} ne permet pas de modifier une demande : il faut en créer une nouvelle")

    @abstractmethod
    def submit(self, external_id: str) -> ClaimState:
        """Submit / confirm the claim for review."""

    @abstractmethod
    def status(self, external_id: str) -> ClaimState:
        """Where the claim stands now."""

    def list_claims(self) -> list[ClaimState]:
        raise NotSupported(f"{self.label} ne fournit pas de liste des demandes")

    def find_by_reference(self, reference: str, exclude: tuple[str, ...] = ()) -> ClaimState | None:
        """The claim filed with this shop reference (invoice number), if the API can tell; the ids
        in `exclude` (earlier filings of the same invoice, refused) are not it."""
        matches = [c for c in self.list_claims() if c.reference == reference and c.external_id not in exclude]
        return max(matches, key=lambda c: c.raw.get("CreationDate") or "", default=None)

    def delete_draft(self, external_id: str) -> None:
        raise NotSupported(f"{self.label} ne permet pas de supprimer une demande")

    def payments(self) -> list[dict]:
        raise NotSupported(f"{self.label} ne publie pas les paiements par API : importez le relevé de paiement")
