"""The documents library: list by category, a new document, its page, its file, a new version, removal."""
from __future__ import annotations

from flask import abort, current_app, flash, request, send_file
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..files.storage import get_storage
from ..permissions import ANY_ROLE, allow
from ..rendering import redirect_to, render
from . import bp, services
from .forms import DocumentForm, ReplaceForm
from .models import CATEGORIES, ShopDocument, ShopDocumentVersion

EDITORS = ("owner", "support")  # file and renew documents
REMOVERS = ("owner",)  # removing one (the label certificate, the insurance) is the owner's call


def _category_titles() -> dict[str, str]:
    """The category names as headings: "Grille tarifaire" (Jinja's capitalize would lower "QualiRépar")."""
    return {key: str(label)[:1].upper() + str(label)[1:] for key, label in CATEGORIES.items()}


def _fail(form, exc: services.DocumentError) -> None:
    field = getattr(form, exc.field or "upload")
    field.errors = [*field.errors, str(exc)]


def _saved(message: str, label_until, doc: ShopDocument):
    """After a document or a new version is saved: say so (and the label's new date), open its page."""
    flash(message, "success")
    if label_until:
        flash(_("Le label de la boutique est désormais valable jusqu'au %(d)s.", d=format_date(label_until, "long")), "success")
    return redirect_to("resources.show", id=doc.id)


@bp.get("/")
@allow(*ANY_ROLE)
def index():
    """The library grouped by category, with each document's expiry; ?categorie= shows one category."""
    category = request.args.get("categorie")
    category = category if category in CATEGORIES else None
    today = services.paris_today()
    docs = services.listing(category)
    titles = _category_titles()
    groups = [(key, titles[key], [d for d in docs if d.category == key]) for key in CATEGORIES]
    return render("resources/index.html", groups=[g for g in groups if g[2]], category=category, categories=titles,
                  to_renew=services.expiring(today), within_days=services.EXPIRING_DAYS, today=today, status_of=services.status,
                  can_add=_may(EDITORS))


@bp.route("/nouveau", methods=["GET", "POST"])
@allow(*EDITORS)
def new():
    """File a new document."""
    form = DocumentForm()
    if request.method == "GET" and request.args.get("categorie") in CATEGORIES:
        form.category.data = request.args["categorie"]
    if form.validate_on_submit():
        try:
            doc, label_until = services.create(title=form.title.data, category=form.category.data, upload=form.upload.data,
                                               valid_from=form.valid_from.data, expires_on=form.expires_on.data,
                                               note=form.note.data, update_label=form.update_label.data)
        except services.DocumentError as exc:
            _fail(form, exc)
        else:
            return _saved(_("Document « %(t)s » enregistré.", t=doc.title), label_until, doc)
    return render("resources/new.html", form=form, status=422 if form.errors else 200)


def _show(doc: ShopDocument, form: ReplaceForm, status: int = 200):
    today = services.paris_today()
    return render("resources/show.html", doc=doc, form=form, today=today, doc_status=services.status(doc, today),
                  category_title=_category_titles().get(doc.category, doc.category),
                  can_edit=_may(EDITORS), can_remove=_may(REMOVERS), status=status)


def _may(roles) -> bool:
    return current_user.role in roles


@bp.get("/<int:id>")
@allow(*ANY_ROLE)
def show(id: int):  # noqa: A002 - the URL's name for it
    """A document: its details, its file, and (for the office) a new version or its removal."""
    doc = db.get_or_404(ShopDocument, id)
    return _show(doc, ReplaceForm(obj=doc))


def _send(stored, doc_id: int, current: bool = True):
    """A stored file as an attachment under the name it was sent with, read from disk in chunks."""
    try:
        handle = get_storage().open(stored.storage_key)
    except FileNotFoundError:
        current_app.logger.error("shop document %s: file %s missing from the store", doc_id, stored.storage_key)
        if current:
            flash(_("Le fichier « %(n)s » est introuvable dans le stockage : déposez-le à nouveau (nouvelle version) "
                    "ou contactez le support.", n=stored.original_name), "danger")
        else:
            flash(_("L'ancienne version « %(n)s » est introuvable dans le stockage : contactez le support.",
                    n=stored.original_name), "danger")
        return redirect_to("resources.show", id=doc_id)
    resp = send_file(handle, mimetype=stored.content_type, as_attachment=True, download_name=stored.original_name,
                     max_age=0, conditional=False)
    resp.content_length = stored.size
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/<int:id>/fichier")
@allow(*ANY_ROLE)
def download(id: int):  # noqa: A002
    """The document's current file."""
    return _send(db.get_or_404(ShopDocument, id).file, id)


@bp.get("/<int:id>/versions/<int:version_id>/fichier")
@allow(*ANY_ROLE)
def version_file(id: int, version_id: int):  # noqa: A002
    """An earlier file of the document (the certificate in force before it was renewed)."""
    version = db.get_or_404(ShopDocumentVersion, version_id)
    if version.document_id != id:
        abort(404)
    return _send(version.file, id, current=False)


@bp.post("/<int:id>/remplacer")
@allow(*EDITORS)
def replace(id: int):  # noqa: A002
    """A new version of the file (a renewed certificate), with its dates."""
    doc = db.get_or_404(ShopDocument, id, with_for_update=True)  # two renewals at once: one after the other
    form = ReplaceForm()
    if form.validate_on_submit():
        try:
            label_until = services.replace_file(doc, form.upload.data, form.valid_from.data, form.expires_on.data,
                                                update_label=form.update_label.data)
        except services.DocumentError as exc:
            _fail(form, exc)
        else:
            return _saved(_("Nouvelle version de « %(t)s » enregistrée.", t=doc.title), label_until, doc)
    return _show(doc, form, status=422)


@bp.post("/<int:id>/supprimer")
@allow(*REMOVERS)
def delete(id: int):  # noqa: A002
    """Remove the document and its file."""
    doc = db.get_or_404(ShopDocument, id)
    title = doc.title
    services.delete(doc)
    flash(_("Document « %(t)s » supprimé.", t=title), "success")
    return redirect_to("resources.index")
