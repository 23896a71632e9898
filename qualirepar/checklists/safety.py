"""The safety verdict of an order: a safety point (continuity of the protective conductor,
insulation resistance, leakage current, or any point the owner marks as one) answered out of its
limits at check-out means the appliance is not safe. It cannot be declared repaired, nor handed
back as such: the way out is to repair and measure again, or to hand it back out of service with a
warning the customer signs (`repairs.handback`). The limits and their sources: `defaults`.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..core.money import french_number
from ..repairs import states
from ..repairs.models import RepairOrder
from .services import rows

# The actions that say the appliance is safe to use: declared repaired, handed back repaired.
SAFE_ONLY = ("finish", "hand_back")


@dataclass
class Failure:
    label: str
    result: str  # the measure as shown: «0,4 MΩ (minimum 1 MΩ)», or «non»


def _result(point, answer) -> str:
    if point.kind != "measure" or answer.number is None:
        return answer.value or ""
    unit = f" {point.unit}" if point.unit else ""
    limit = (_("minimum %(v)s", v=french_number(point.min_value)) if point.min_value is not None and answer.number < point.min_value
             else _("maximum %(v)s", v=french_number(point.max_value)))
    return f"{french_number(answer.number)}{unit} ({limit}{unit})"


def failures(order: RepairOrder) -> list[Failure]:
    """The safety points of the check-out answered out of their limits (retired points included:
    retiring a point does not make an appliance safe)."""
    return [Failure(r.point.label, _result(r.point, r.answer)) for r in rows(order, "checkout")
            if r.point.safety and r.answer is not None and r.answer.out_of_limits]


def describe(found: list[Failure]) -> str:
    return " ; ".join(f"{f.label} : {f.result}" for f in found)


class UnsafeAppliance(states.RepairOrderError):
    """A safety measure is out of its limits; `failures` lists them."""

    def __init__(self, action: str, found: list[Failure]):
        what = describe(found)
        if action == "finish":
            message = _("Réparation terminée impossible, mesure de sécurité hors limites : %(m)s. Réparez et mesurez à nouveau, "
                        "ou restituez l'appareil non réparé, hors service, avec l'avertissement signé par le client.", m=what)
        else:
            message = _("Restitution impossible comme appareil en état, mesure de sécurité hors limites : %(m)s. Mesurez à nouveau "
                        "après réparation, ou restituez-le hors service avec l'avertissement signé par le client.", m=what)
        super().__init__(message)
        self.failures = found


def guard(order: RepairOrder, action: str) -> None:
    """Refuse declaring the appliance repaired (or handing it back as usable) while a safety
    measure is out of its limits."""
    if action in SAFE_ONLY:
        found = failures(order)
        if found:
            raise UnsafeAppliance(action, found)
