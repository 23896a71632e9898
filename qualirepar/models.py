"""Every model, imported in one place so that Alembic and the app see the same metadata."""
from flask_migrate import upgrade
from sqlalchemy import text

from .audit import AuditEntry  # noqa: F401
from .auditpack.models import AuditPack  # noqa: F401
from .auth.models import LoginSession  # noqa: F401
from .billing.deposit_models import Deposit  # noqa: F401
from .billing.models import Invoice, InvoiceLine, Payment, Quote, QuoteLine  # noqa: F401
from .catalog.models import BonusTariff, Brand, CatalogSync, Code, ProductType  # noqa: F401
from .checklists.models import ChecklistTemplate, ControlAnswer, ControlPoint  # noqa: F401
from .claims.models import Claim, ClaimEvent, ClaimPayment, Notification  # noqa: F401
from .complaints.models import Complaint  # noqa: F401
from .eco.models import EcoAccount, EcoExchange  # noqa: F401
from .einvoice.settings import EinvoiceSettings  # noqa: F401
from .einvoice.supplier import SupplierInvoice, SupplierInvoiceLine  # noqa: F401
from .einvoice.transmissions import Transmission  # noqa: F401
from .explorer.models import SavedView  # noqa: F401
from .extensions import db
from .fec.models import FecAccount  # noqa: F401
from .files.models import StoredFile  # noqa: F401
from .fiscal.closing_models import FiscalArchive, FiscalClosing, FiscalSettings  # noqa: F401
from .fiscal.models import FiscalChain, FiscalCheck, FiscalEntry  # noqa: F401
from .intake.models import IntakeCustomField, IntakeDraft, IntakeSettings  # noqa: F401
from .numbering import NumberCounter  # noqa: F401
from .ocr.models import OcrDocument  # noqa: F401
from .repairs.handback import HandBack  # noqa: F401
from .repairs.models import Appliance, Customer, OrderPhoto, RepairOrder, Signature  # noqa: F401
from .resources.models import ShopDocument, ShopDocumentVersion  # noqa: F401
from .shops.models import FicheMetier, RepairSite, Shop, Subcontractor, User  # noqa: F401


def rebuild_schema() -> None:
    """Drop everything and build the schema again with the migrations (what `flask db upgrade` does
    on an empty database): the tests and the benchmarks start from it. Inside an app context."""

    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
