"""Return detection (référentiel §6.1.5): a repair of the same appliance handed back less than
3 calendar months before this intake makes this order a warranty return, with no second bonus."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from dateutil.relativedelta import relativedelta

WARRANTY = relativedelta(months=3)


def normalise_serial(serial: str | None) -> str:
    """Upper-case letters and digits only: ' sn: 12-ab 34 ' and 'SN12AB34' are the same plate."""
    value = re.sub(r"[^0-9A-Za-z]", "", serial or "").upper()
    for prefix in ("SN", "IMEI", "SERIAL"):
        if value.startswith(prefix) and len(value) > len(prefix) + 4:
            return value[len(prefix):]
    return value


# What technicians type when the plate is missing or unreadable: never an identity.
PLACEHOLDERS = {"NA", "NC", "ND", "NONE", "AUCUN", "INCONNU", "ILLISIBLE", "SANS", "NEANT", "XXX", "XXXX"}
MIN_SERIAL = 5


def identifying(serial_norm: str) -> bool:
    """Whether a normalised serial can identify an appliance (not a placeholder, not too short)."""
    return (len(serial_norm) >= MIN_SERIAL and serial_norm not in PLACEHOLDERS
            and len(set(serial_norm)) > 1)  # 00000, XXXXX


def warranty_ends(handed_back_on: dt.date) -> dt.date:
    """The last day covered: the same day 3 calendar months later, or that month's last day when it
    has no such day (handed back 30 November -> covered through 28 February, or 29 in a leap year).

    The last day itself is covered: a customer who comes back on the anniversary is within the
    warranty (the référentiel's "3 mois" read in the customer's favour).
    """
    return handed_back_on + WARRANTY


def within_warranty(handed_back_on: dt.date, intake_on: dt.date) -> bool:
    return handed_back_on <= intake_on <= warranty_ends(handed_back_on)


def _words(text: str | None) -> str:
    """Lower-case ASCII words: 'Fuit  par la PORTE !' and 'fuit par la porte' say the same."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def same_fault(origin, back) -> bool | None:
    """Whether a return is for the fault its repair fixed: the symptom codes say it when both have
    one, or the customer used the same words; None when only a person can tell."""
    if origin.symptom_code and back.symptom_code:
        return origin.symptom_code.strip().upper() == back.symptom_code.strip().upper()
    if _words(origin.fault_description) and _words(origin.fault_description) == _words(back.fault_description):
        return True
    return None
