"""The answer conventions, in one place (qualirepar/rendering.py): a refusal a user must read is
answered once (flash and 303 back, or for htmx its fragment with 422, the transaction rolled back);
htmx gets the fragment, a redirect it follows, the events other regions listen to; the progress
components poll themselves while their row is running."""
from __future__ import annotations

import html

import pytest
from flask import get_flashed_messages, render_template_string

from qualirepar.core.refusal import Refusal
from qualirepar.events import CHECKLIST_CHANGED, EVENTS
from qualirepar.extensions import db
from qualirepar.rendering import answer_refusal, fragment_or_json, redirect_to, refusals, render
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from . import factories

HX = {"HX-Request": "true"}


def _refused(endpoint=None, **values):
    """A Refusal as a view's `refusals(endpoint, **values)` lets it reach the app's handler."""
    with pytest.raises(Refusal) as caught, refusals(endpoint, **values):
        raise Refusal("Impossible pour l'instant.")
    return caught.value


# --- refusals ---------------------------------------------------------------------------------------


def test_a_refused_plain_post_is_flashed_and_sent_back_to_the_page_the_view_names(app):
    with app.test_request_context("/x", method="POST"):
        exc = _refused("repairs.show", order_id=7)
        resp = answer_refusal(exc)
        assert resp.status_code == 303 and resp.headers["Location"] == "/dossiers/7"
        assert get_flashed_messages(with_categories=True) == [("danger", "Impossible pour l'instant.")]


def test_a_refusal_without_a_page_named_goes_back_to_the_referrer(app):
    with app.test_request_context("/x", method="POST", headers={"Referer": "/demandes/3"}):
        resp = answer_refusal(_refused())
        assert resp.status_code == 303 and resp.headers["Location"] == "/demandes/3"


def test_htmx_gets_the_refusal_in_the_flashes_region_with_422(app):
    with app.test_request_context("/x", method="POST", headers=HX):
        resp = answer_refusal(_refused("repairs.show", order_id=7))
        body = resp.get_data(as_text=True)
        assert resp.status_code == 422 and "Impossible pour l'instant." in html.unescape(body) and "<html" not in body
        assert resp.headers["HX-Retarget"] == "#flashes" and resp.headers["HX-Reswap"] == "innerHTML"
        assert get_flashed_messages() == []  # shown in place, not kept for the next page


def test_htmx_gets_the_fragment_the_view_names_for_a_refusal(app):
    with app.test_request_context("/x", method="POST", headers=HX):
        exc = _refused("repairs.show", order_id=7,
                       fragment=lambda e: render_template_string("<p>{{ m }}</p>", m=str(e)))
        assert html.unescape(answer_refusal(exc)) == "<p>Impossible pour l'instant.</p>"


def test_a_refusal_rolls_the_transaction_back(app, shop):
    order_id = factories.make_order(app, shop.id)
    with app.test_request_context("/x", method="POST"), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        before = order.status
        order.status = "abandoned"
        answer_refusal(_refused("repairs.show", order_id=order_id))
        assert db.session.get(RepairOrder, order_id).status == before


def test_a_refused_transition_comes_back_to_the_order_with_its_message(app, as_role, shop):
    order = factories.make_order(app, shop.id)
    client = as_role("technician")
    resp = client.post(f"/dossiers/{order}/hand_back")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/dossiers/{order}")
    page = html.unescape(client.get(resp.headers["Location"]).get_data(as_text=True))
    assert "alert-danger" in page
    htmx = client.post(f"/dossiers/{order}/hand_back", headers=HX)
    assert htmx.status_code == 422 and 'data-testid="refusal"' in htmx.get_data(as_text=True)


# --- render and redirect_to --------------------------------------------------------------------------


def test_events_are_sent_only_when_named_in_the_one_list(app):
    assert CHECKLIST_CHANGED in EVENTS
    with app.test_request_context("/x", headers=HX):
        resp = render("errors/_refusal.html", message="m", trigger=CHECKLIST_CHANGED)
        assert resp.headers["HX-Trigger"] == "checklist-changed" and "HX-Request" in resp.headers["Vary"]
        with pytest.raises(ValueError, match="events.py"):
            render("errors/_refusal.html", message="m", trigger="something-else")


def test_the_page_context_is_made_for_the_page_only(app):
    made = []

    def page_context():
        made.append(True)
        return {"message": "page"}

    with app.test_request_context("/x", headers=HX):
        render("errors/_refusal.html", "errors/_refusal.html", message="fragment", page_context=page_context)
    assert made == []
    with app.test_request_context("/x"):
        body = render("errors/_refusal.html", "errors/_refusal.html", message="fragment", page_context=page_context)
    assert made == [True] and "page" in body.get_data(as_text=True)


def test_redirect_to_flashes_redirects_and_lets_htmx_have_its_fragment(app):
    with app.test_request_context("/x", method="POST"):
        resp = redirect_to("repairs.show", order_id=7, message="Fait.", htmx=lambda: "fragment")
        assert resp.status_code == 303 and resp.headers["Location"] == "/dossiers/7"
        assert get_flashed_messages(with_categories=True) == [("success", "Fait.")]
    with app.test_request_context("/x", method="POST", headers=HX):
        resp = redirect_to("repairs.show", order_id=7, message="Fait.")
        assert resp.status_code == 204 and resp.headers["HX-Redirect"] == "/dossiers/7"
    with app.test_request_context("/x", method="POST", headers=HX):
        assert redirect_to("repairs.show", order_id=7, message="Fait.", htmx=lambda: "fragment") == "fragment"
        assert get_flashed_messages() == []  # the fragment shows the message itself


def test_one_address_answers_htmx_with_its_fragment_and_scripts_with_json(app):
    with app.test_request_context("/x", method="POST", headers=HX):
        resp = fragment_or_json(lambda: "<p>ok</p>", lambda: {"saved": True}, status=200)
        assert resp.get_data(as_text=True) == "<p>ok</p>" and "HX-Request" in resp.headers["Vary"]
    with app.test_request_context("/x", method="POST"):
        resp = fragment_or_json(lambda: "<p>ok</p>", lambda: {"saved": True}, status=404)
        assert resp.status_code == 404 and resp.get_json() == {"saved": True}


# --- the poller --------------------------------------------------------------------------------------


class _Row:
    def __init__(self, running: bool):
        self.running = running


@pytest.mark.parametrize("row, polls", [(_Row(True), True), (_Row(False), False), (None, False)])
def test_a_progress_component_polls_itself_while_its_row_is_running(app, row, polls):
    with app.test_request_context("/x"):
        attrs = render_template_string('{% from "_poll.html" import poll %}{{ poll(row, "/p", every="2s") }}', row=row)
    assert ('hx-get="/p" hx-trigger="every 2s" hx-swap="outerHTML"' in attrs) is polls
    assert (attrs.strip() == "") is not polls
