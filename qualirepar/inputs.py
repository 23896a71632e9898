"""Every input, checked in one place before any view runs (issue 17: a probe of every route with
hostile input got server errors on PostgreSQL).

- Control characters: a NUL byte is refused by PostgreSQL in any text (the probe's 30 errors), and
  no field of a repair shop holds a C0 control character other than tab and line breaks. Any
  query-string or form value carrying one is refused with a French message, before a view or the
  database sees it: nothing is written.
- Ids in URLs: `<int:...>` is bounded to PostgreSQL's `integer` (2**31 - 1); an id of 400 digits
  is a page that does not exist (404), not an overflow in the database.
"""
from __future__ import annotations

import re

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer, the type of every primary key
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharacterRefused(BadRequest):
    """A value carries a control character; `french` is the message the error page shows."""

    def __init__(self, field: str):
        super().__init__()
        self.french = _("Caractère de contrôle refusé dans « %(field)s » : retapez la valeur sans copier-coller de caractères invisibles.",
                        field=field[:60])


class BoundedInteger(IntegerConverter):
    """`<int:id>` up to PostgreSQL's integer: a larger id matches no route (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _refuse_control_characters() -> None:
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            if CONTROL.search(name) or CONTROL.search(value):
                raise ControlCharacterRefused(CONTROL.sub("", name))
    for name, upload in request.files.items(multi=True):
        if upload.filename and CONTROL.search(upload.filename):
            raise ControlCharacterRefused(name)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInteger
    app.before_request(_refuse_control_characters)
