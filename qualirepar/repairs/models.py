"""Customers, their appliances, and repair orders (dossiers)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped
from . import states

PRIVATE, BUSINESS = "private", "business"  # Customer.kind


class Customer(TenantScoped, Audited, db.Model):
    """A household or a business (kind): the bonus is for households only (catalog.eligibility).

    For a business the names are its contact person's; street, postcode and city are where the
    appliance is (the place of a home repair), billing_* the invoice address when it differs."""

    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(10), default="")  # M., Mme, Mlle
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(10), default=PRIVATE, server_default=PRIVATE)  # private or business
    company: Mapped[str | None] = mapped_column(String(200))  # raison sociale, a business only
    siren: Mapped[str | None] = mapped_column(String(9))
    siret: Mapped[str | None] = mapped_column(String(14))
    vat_number: Mapped[str | None] = mapped_column(String(20))  # intra-EU, compact (FR12345678901)
    billing_street: Mapped[str | None] = mapped_column(String(200))
    billing_postcode: Mapped[str | None] = mapped_column(String(10))
    billing_city: Mapped[str | None] = mapped_column(String(100))
    search: Mapped[str] = mapped_column(String(400), index=True)  # normalised names, company, SIREN, phone digits, e-mail
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def is_business(self) -> bool:
        return self.kind == BUSINESS

    @property
    def person_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()

    @property
    def display_name(self) -> str:
        """A business by its company name first, with its contact person."""
        if self.is_business and self.company:
            return f"{self.company} ({self.person_name})" if self.person_name else self.company
        return self.person_name


class Appliance(TenantScoped, Audited, db.Model):
    """One physical appliance of a customer, identified by its serial number or IMEI."""

    __tablename__ = "appliance"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    product_type_id: Mapped[int | None] = mapped_column(ForeignKey("product_type.id"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brand.id"))
    brand_name: Mapped[str] = mapped_column(String(150))  # as typed, kept when the brand is not in the lists
    commercial_reference: Mapped[str | None] = mapped_column(String(120))
    serial_number: Mapped[str] = mapped_column(String(80))  # as printed on the plate
    serial_norm: Mapped[str] = mapped_column(String(80), index=True)  # returns.normalise_serial
    purchase_date: Mapped[dt.date | None] = mapped_column(Date)

    customer: Mapped[Customer] = relationship()


class RepairOrder(TenantScoped, Audited, db.Model):
    """A dossier: intake, diagnosis, quote, repair, hand-back; the bon de prise en charge is its intake."""

    __tablename__ = "repair_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30))  # D-2026-00042, per shop
    status: Mapped[str] = mapped_column(String(20), default=states.INTAKE, index=True)
    kind: Mapped[str] = mapped_column(String(10), default="workshop")  # workshop or onsite (with travel)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    appliance_id: Mapped[int] = mapped_column(ForeignKey("appliance.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("repair_site.id"))
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    service_requested: Mapped[str] = mapped_column(Text)  # libellé de la prestation
    parts_info: Mapped[str | None] = mapped_column(Text)  # what is needed to order parts
    fault_description: Mapped[str] = mapped_column(Text)  # the customer's words
    symptom_code: Mapped[str | None] = mapped_column(String(20))
    po_reference: Mapped[str | None] = mapped_column(String(100))  # the business customer's order number (EN 16931 BT-13)
    accessories: Mapped[str | None] = mapped_column(Text)  # left with the appliance
    visible_condition: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)  # the shop's own intake fields
    # The customer and appliance as written on the bon that day: the bon prints this copy, so a
    # later change of address (or a customer record updated by another intake) does not rewrite it.
    intake_snapshot: Mapped[dict | None] = mapped_column(JSON)
    intake_on: Mapped[dt.date] = mapped_column(Date, index=True)
    repaired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    handed_back_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    warranty_of_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"), index=True)  # the repair this returns
    warranty_unlinked_reason: Mapped[str | None] = mapped_column(Text)
    # The repair it had been linked to before a person set the return aside: the audit pack and the
    # explorer still list it, with the reason.
    warranty_unlinked_from_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    customer: Mapped[Customer] = relationship()
    appliance: Mapped[Appliance] = relationship()
    warranty_of: Mapped["RepairOrder | None"] = relationship(remote_side=[id], foreign_keys=[warranty_of_id])
    warranty_unlinked_from: Mapped["RepairOrder | None"] = relationship(remote_side=[id], foreign_keys=[warranty_unlinked_from_id])

    # The shop's orders by intake date, with the site and the technician so that the owner's
    # six-month charts read the index alone; by status for the technician's active ones
    # (migration 398830acf103).
    __table_args__ = (UniqueConstraint("shop_id", "number"),
                      db.Index("ix_repair_order_shop_id_intake_on", "shop_id", "intake_on", "site_id", "technician_id"),
                      db.Index("ix_repair_order_shop_id_status", "shop_id", "status"))

    @property
    def is_warranty_return(self) -> bool:
        return self.warranty_of_id is not None

    @property
    def status_label(self) -> str:
        return states.LABELS.get(self.status, self.status)


class Signature(TenantScoped, Audited, db.Model):
    """A signature drawn on the tablet: the image, who signed, when, from where."""

    __tablename__ = "signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))  # customer or technician
    signer_name: Mapped[str] = mapped_column(String(200))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))  # who held the tablet
    ip: Mapped[str | None] = mapped_column(String(45))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("order_id", "role"),)


class OrderPhoto(TenantScoped, Audited, db.Model):
    """A photo of the appliance taken on the tablet (upright from EXIF, resized) for one order."""

    __tablename__ = "order_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    caption: Mapped[str | None] = mapped_column(String(200))
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
