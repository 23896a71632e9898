"""The register: list (overdue first), a new complaint, its answer."""
from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.clock import paris_today
from ..extensions import db
from ..core.forms import DayField
from ..permissions import allow
from ..rendering import redirect_to, render
from ..repairs.models import RepairOrder
from . import bp
from .calendar import due_on
from .models import CHANNELS, Complaint

READERS = ("owner", "support")


def _not_future(form, field):
    if field.data and field.data > paris_today():
        raise ValidationError(_l("La date ne peut pas être dans le futur."))


class ComplaintForm(FlaskForm):
    received_on = DayField(_l("Reçue le"), default=paris_today, validators=[DataRequired(_l("Indiquez la date de réception.")), _not_future])
    channel = SelectField(_l("Reçue par"), choices=list(CHANNELS.items()), validate_choice=False)
    customer_name = StringField(_l("Client"), validators=[DataRequired(_l("Indiquez le nom du client.")), Length(max=200, message=_l("200 caractères au plus."))])
    order_number = StringField(_l("N° de dossier concerné"), validators=[Optional(), Length(max=30, message=_l("30 caractères au plus."))])
    text = TextAreaField(_l("Réclamation"), validators=[DataRequired(_l("Recopiez ou résumez la réclamation.")), Length(max=5000, message=_l("5 000 caractères au plus."))])


    def validate_channel(self, field):
        if field.data not in CHANNELS:
            raise ValidationError(_l("Choisissez un canal de la liste."))


class AnswerForm(FlaskForm):
    answered_on = DayField(_l("Répondu le"), default=paris_today, validators=[DataRequired(_l("Indiquez la date de la réponse.")), _not_future])
    answer = TextAreaField(_l("Réponse"), validators=[DataRequired(_l("Écrivez la réponse faite au client.")), Length(max=5000, message=_l("5 000 caractères au plus."))])


@bp.get("/")
@allow(*READERS)
def index():
    rows = db.session.execute(db.select(Complaint).order_by(Complaint.answered_on.is_not(None), Complaint.due_on)).scalars().all()
    return render("complaints/index.html", rows=rows, today=paris_today(), channels=CHANNELS)


@bp.route("/nouvelle", methods=["GET", "POST"])
@allow(*READERS)
def new():
    form = ComplaintForm()
    if form.validate_on_submit():
        order = None
        if form.order_number.data:
            order = db.session.execute(db.select(RepairOrder).where(RepairOrder.number == form.order_number.data.strip())).scalar_one_or_none()
            if order is None:
                form.order_number.errors = [_("Aucun dossier ne porte ce numéro.")]
        if not form.order_number.errors:
            complaint = Complaint(received_on=form.received_on.data, due_on=due_on(form.received_on.data), channel=form.channel.data,
                                  customer_name=form.customer_name.data.strip(), order_id=order.id if order else None,
                                  text=form.text.data.strip(), created_by_id=current_user.id)
            db.session.add(complaint)
            db.session.commit()
            flash(_("Réclamation enregistrée : réponse attendue au plus tard le %(d)s.", d=complaint.due_on.strftime("%d/%m/%Y")), "success")
            return redirect_to("complaints.show", complaint_id=complaint.id)
    return render("complaints/new.html", form=form, status=422 if form.errors else 200)


@bp.route("/<int:complaint_id>", methods=["GET", "POST"])
@allow(*READERS)
def show(complaint_id: int):
    complaint = db.get_or_404(Complaint, complaint_id)
    form = AnswerForm()
    if complaint.answered_on is None and form.validate_on_submit():
        if form.answered_on.data < complaint.received_on:
            form.answered_on.errors = [_("La réponse ne peut pas précéder la réclamation.")]
        else:
            complaint.answer, complaint.answered_on = form.answer.data.strip(), form.answered_on.data
            db.session.commit()
            flash(_("Réponse enregistrée."), "success")
            return redirect_to("complaints.show", complaint_id=complaint.id)
    order = db.session.get(RepairOrder, complaint.order_id) if complaint.order_id else None
    return render("complaints/show.html", complaint=complaint, order=order, form=form, today=paris_today(), channels=CHANNELS,
                  status=422 if form.errors else 200)
