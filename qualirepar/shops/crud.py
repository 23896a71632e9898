"""List / create / edit (/ delete) screens for the shop's simple reference lists.

Sites, subcontractors and fiches métier differ only by model, form and columns; one set of views
and two templates serve them all.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, flash, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..permissions import allow
from ..rendering import redirect_to, render


@dataclass
class Section:
    name: str  # endpoint prefix and URL slug
    slug: str
    model: type
    form: type
    title: str  # lazy strings
    new_label: str
    columns: list[tuple[str, str]]  # (attribute, header)
    order_by: str
    unique_field: str
    duplicate_message: str
    deletable: bool = False
    readers: tuple[str, ...] = ("owner", "support")
    help: str = ""
    extra: dict = field(default_factory=dict)


def register(bp: Blueprint, s: Section) -> None:
    def list_view():
        rows = db.session.execute(db.select(s.model).order_by(getattr(s.model, s.order_by))).scalars().all()
        return render("shops/crud_list.html", section=s, rows=rows)

    def save(obj):
        form = s.form(obj=obj)
        if form.validate_on_submit():
            creating = obj is None
            if creating:
                obj = s.model()
                db.session.add(obj)
            form.populate_obj(obj)
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                getattr(form, s.unique_field).errors.append(s.duplicate_message)
            else:
                flash(_("Enregistré."), "success")
                return redirect_to(f"shops.{s.name}_list")
        return render("shops/crud_form.html", section=s, form=form, obj=obj,
                      status=422 if request.method == "POST" else 200)

    def new_view():
        return save(None)

    def edit_view(obj_id: int):
        return save(db.get_or_404(s.model, obj_id))

    def delete_view(obj_id: int):
        db.session.delete(db.get_or_404(s.model, obj_id))
        db.session.commit()
        flash(_("Supprimé."), "success")
        return redirect_to(f"shops.{s.name}_list")

    list_view.__doc__ = f"List of {s.name}."
    bp.add_url_rule(f"/{s.slug}", f"{s.name}_list", allow(*s.readers)(list_view))
    bp.add_url_rule(f"/{s.slug}/nouveau", f"{s.name}_new", allow("owner")(new_view), methods=["GET", "POST"])
    bp.add_url_rule(f"/{s.slug}/<int:obj_id>", f"{s.name}_edit", allow("owner")(edit_view), methods=["GET", "POST"])
    if s.deletable:
        bp.add_url_rule(f"/{s.slug}/<int:obj_id>/supprimer", f"{s.name}_delete", allow("owner")(delete_view), methods=["POST"])
