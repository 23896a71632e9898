"""The owner's forms: the chart of accounts (a number and a name per role), the period to export."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from . import accounts


def field_name(key: str, part: str) -> str:
    """services:20.00 -> services_2000_number: a name a form field may carry."""
    return f"{key.replace(':', '_').replace('.', '')}_{part}"


class ChartForm(FlaskForm):
    """One number and one name per role of `accounts.ROLES` (fields added below)."""

    def pairs(self):
        for role in accounts.ROLES:
            yield role, self[field_name(role.key, "number")], self[field_name(role.key, "label")]

    def values(self) -> dict[str, tuple[str, str]]:
        return {role.key: (number.data or "", label.data or "") for role, number, label in self.pairs()}

    def validate(self, extra_validators=None) -> bool:
        """Each number and name checked by `accounts.check`, its refusal beside the field."""
        valid = super().validate(extra_validators)
        cleaned = {}
        for role, number, label in self.pairs():
            try:
                cleaned[role.key] = accounts.check(role.key, number.data, label.data)
            except accounts.ChartError as refused:
                (label if refused.part == "label" else number).errors.append(str(refused))
                valid = False
        if valid:
            try:
                accounts.one_name_per_number(cleaned)
            except accounts.ChartError as refused:
                self[field_name(refused.key, "label")].errors.append(str(refused))
                valid = False
        return valid

    @classmethod
    def filled(cls, chart: dict[str, accounts.Account], formdata=None) -> "ChartForm":
        data = {}
        for key, account in chart.items():
            data[field_name(key, "number")], data[field_name(key, "label")] = account.number, account.label
        return cls(formdata=formdata, data=data) if formdata is not None else cls(data=data)


for _role in accounts.ROLES:
    setattr(ChartForm, field_name(_role.key, "number"),
            StringField(_l("Numéro de compte : %(r)s", r=_role.title), render_kw={"inputmode": "numeric", "autocomplete": "off"}))
    setattr(ChartForm, field_name(_role.key, "label"),
            StringField(_l("Intitulé : %(r)s", r=_role.title), validators=[Length(max=100)]))


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET choosing what to show; the download is its own form, with its token

    period = SelectField(_l("Période"), choices=[])
