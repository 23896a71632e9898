"""The invoice XML a PDF carries: Factur-X / ZUGFeRD / XRechnung attach it as an embedded file of a
PDF/A-3 (Factur-X 1.0 spec, § 6: `factur-x.xml`; ZUGFeRD 2: `zugferd-invoice.xml`, older
`ZUGFeRD-invoice.xml`; XRechnung in a PDF: `xrechnung.xml`). Any other XML attachment is a candidate
too: some writers use their own name."""
from __future__ import annotations

import io
import logging

from pypdf import PasswordType, PdfReader
from pypdf.errors import PyPdfError

PREFERRED = ("factur-x.xml", "zugferd-invoice.xml", "zugferd_invoice.xml", "xrechnung.xml")
log = logging.getLogger(__name__)


class Encrypted(Exception):
    """A PDF that opens only with a password."""


def attachments(data: bytes) -> list[tuple[str, bytes]]:
    """The PDF's XML attachments, the standard names first. Raises Encrypted for a PDF locked by a
    password; a PDF pypdf cannot parse has none (the page is still read by the reader)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise Encrypted()
        found = [(name, blob) for name, blobs in reader.attachments.items()
                 for blob in blobs if name.lower().endswith(".xml") and blob]
    except Encrypted:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        log.info("no attachment read from a PDF: %s", exc)
        return []
    return sorted(found, key=lambda item: (item[0].lower() not in PREFERRED, PREFERRED.index(item[0].lower())
                                           if item[0].lower() in PREFERRED else 0))
