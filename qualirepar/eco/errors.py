"""Typed errors of the eco-organism clients. Callers decide by type, never by parsing text."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FieldError:
    field: str  # the organism's field name, e.g. "Customer.Email" or "Product.SerialNumber"
    message: str
    blocking: bool = True  # Ecologic sends warnings ("W") that do not block


class EcoError(Exception):
    """Base class; `status` is the HTTP status when there was an answer."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code  # the organism's own code, e.g. PIECE_JOINTE_MANQUANTE


class AuthError(EcoError):
    """Credentials refused (wrong login, password or API key, or token refused after renewal)."""


class ValidationFailed(EcoError):
    """The organism refused the content; `errors` name the fields."""

    def __init__(self, message: str, errors: list[FieldError], status: int | None = None, code: str | None = None):
        super().__init__(message, status, code)
        self.errors = errors


class NotFound(EcoError):
    """The claim (or route) does not exist at the organism."""


class TransientError(EcoError):
    """Worth retrying later: 5xx, 429, timeout, connection refused.

    `processed` is False when the organism certainly did nothing (connection refused, 429, 503);
    None when it may have done it before the answer was lost (a read timeout, a 500, a 502)."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None, processed: bool | None = None):
        super().__init__(message, status, code)
        self.processed = processed


class ContractViolation(EcoError):
    """The answer does not have the shape the contract describes."""


class NotSupported(EcoError):
    """This organism's API has no such operation."""
