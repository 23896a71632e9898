"""Error answers in French: a page, an htmx fragment or JSON, by what was asked."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from .core.refusal import Refusal
from .extensions import db
from .rendering import answer_refusal, is_htmx


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Requête invalide"), _("La demande n'a pas pu être comprise. Rechargez la page et réessayez.")),
        403: (_("Accès refusé"), _("Votre rôle ne donne pas accès à cette page. Demandez au gérant de la boutique si vous en avez besoin.")),
        404: (_("Page introuvable"), _("Cette page n'existe pas, ou elle ne concerne pas votre boutique.")),
        405: (_("Action impossible"), _("Cette action n'est pas possible à cette adresse.")),
        413: (_("Fichier trop lourd"), _("Le fichier envoyé dépasse la taille autorisée.")),
        429: (_("Trop de tentatives"), _("Trop de tentatives en peu de temps. Patientez une minute avant de réessayer.")),
        500: (_("Erreur interne"), _("Une erreur inattendue s'est produite. Rien n'a été enregistré à moitié ; réessayez, et si cela persiste, contactez le support.")),
    }


def _answer(code: int, description: str | None = None):
    titles = _titles()
    title, message = titles.get(code, titles[500] if code >= 500 else titles[400])
    message = description or message
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, message=message, status=code), code
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    return render_template(template, code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    # A refusal a user must read, raised by any service a view calls: answered in one place.
    app.register_error_handler(Refusal, answer_refusal)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code and exc.code < 400:
            return exc
        return _answer(exc.code or 500, getattr(exc, "french", None))  # French words of our own refusals only

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if app.config.get("PROPAGATE_EXCEPTIONS") and app.testing:
            raise exc
        return _answer(500)
