"""Operations of the app on the organisms that are not claims: connection test."""
from __future__ import annotations

from flask import g
from flask_babel import gettext as _

from ..extensions import db
from .errors import AuthError, ContractViolation, EcoError, TransientError
from .models import ORGANISMS, EcoAccount
from .registry import ExchangeLog, client_for


def account(organism: str) -> EcoAccount | None:
    return db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == organism)).scalar_one_or_none()


def test_connection(organism: str) -> tuple[bool, str]:
    """Log in and read the shop's sites at the organism; the answer is for the owner, in French."""
    acc = account(organism)
    label = ORGANISMS[organism]
    if acc is None or not acc.secret_encrypted:
        return False, _("Aucun identifiant %(name)s n'est enregistré.", name=label)
    log = ExchangeLog(g.shop_id)
    try:
        client = client_for(acc, log)
        client.check_credentials()
        partners = client.partners()
    except AuthError:
        return False, _("%(name)s refuse les identifiants enregistrés.", name=label)
    except TransientError as exc:
        return False, _("%(name)s ne répond pas pour l'instant (%(err)s). Réessayez plus tard.", name=label, err=exc.message)
    except ContractViolation as exc:
        return False, _("Réponse inattendue de %(name)s : %(err)s", name=label, err=exc.message)
    except EcoError as exc:
        return False, _("Erreur %(name)s : %(err)s", name=label, err=exc.message)
    finally:
        log.save()
        db.session.commit()
    return True, _("Connexion %(name)s réussie : %(n)s lieu(x) de réparation connu(s).", name=label, n=len(partners.places))
