"""The verification report loads the names of everyone who answered in one query: 8 answers by
8 people cost the same SQL as 2 answers by 2 people."""
import io
import re

import pytest
from werkzeug.datastructures import FileStorage

from qualirepar.checklists import services
from qualirepar.checklists.models import ControlAnswer
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories, pdf
from ..queries import counted
from .helpers import good_value, jpeg


@pytest.fixture
def order(app, shop):
    return factories.make_order(app, shop.id, "Lave-linge")


def _answer(app, shop_id, order_id, points, users):
    """Answer the given points (index in check-in then check-out order), each by its own user."""
    with app.test_request_context(), as_shop(shop_id):
        order = db.session.get(RepairOrder, order_id)
        all_points = [r.point for phase in ("checkin", "checkout") for r in services.rows(order, phase)]
        for index, user in zip(points, users):
            point = all_points[index]
            upload = FileStorage(io.BytesIO(jpeg()), "plaque.jpg") if point.kind == "photo" else None
            saved = services.answer(order, point, good_value(point), upload)
            db.session.get(ControlAnswer, saved.id).answered_by_id = user.id
        db.session.commit()


def _count_queries(app, client, url) -> int:
    with counted(app) as seen:
        resp = client.get(url)
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    return len(seen)


def test_the_report_costs_the_same_queries_for_2_or_8_answers(app, as_role, shop, order):
    users = [factories.make_user(app, shop.id, "technician") for _ in range(8)]
    client = as_role("owner")
    url = f"/dossiers/{order}/controles/rapport.pdf"
    client.get(url)  # the templates of both phases are created on the first visit

    _answer(app, shop.id, order, range(2), users[:2])
    two = _count_queries(app, client, url)
    _answer(app, shop.id, order, range(2, 8), users[2:])
    eight = _count_queries(app, client, url)
    assert eight == two

    text = pdf.text(client.get(url).data)
    with app.app_context(), as_shop(shop.id):
        from qualirepar.shops.models import User

        last_names = [db.session.get(User, u.id).last_name for u in users]
    # Each answer still says who gave it (the name may wrap in its column, hence the last name alone).
    assert all(re.search(rf"\b{name}\b", text) for name in last_names), text
