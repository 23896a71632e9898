"""Login limits that cannot lock people out (issue 17; OWASP Authentication Cheat Sheet, «Slow Down
Online Guessing Attacks with Device Cookies»): wrong passwords for an account from anywhere slow down
unknown devices only, with a delay and never a lock; the counter PC that logged in before goes
through; behind a proxy the client's address is the forwarded one only from trusted proxies."""
import datetime as dt

import time_machine
from flask import Flask, request

from qualirepar import proxies
from qualirepar.auth.throttle import ACCOUNT_FREE_FAILURES, ACCOUNT_MAX_DELAY, DEVICE_COOKIE, DEVICE_FAILURES

from .. import factories

WRONG = "Adresse e-mail ou mot de passe incorrect."
SLOWED = "pour ce compte depuis un appareil inconnu"


def _post(client, email, password, address="203.0.113.7"):
    return client.post("/connexion", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def test_an_attack_from_many_addresses_does_not_lock_the_counter_pc_out(app, shop):
    counter = app.test_client()
    assert _post(counter, shop.emails["owner"], factories.PASSWORD, "192.0.2.10").status_code == 302  # the shop's PC, earlier
    counter.post("/deconnexion")
    attacker = app.test_client()
    for i in range(12):
        _post(attacker, shop.emails["owner"], f"devine-{i}-xx", f"198.51.100.{i}")
    assert SLOWED in _post(attacker, shop.emails["owner"], factories.PASSWORD, "198.51.100.99").get_data(as_text=True)
    # the owner at the counter, right password, at once
    assert _post(counter, shop.emails["owner"], factories.PASSWORD, "192.0.2.10").status_code == 302


def test_an_unknown_device_is_slowed_not_locked_and_the_password_is_not_checked_meanwhile(app, shop):
    email = shop.emails["technician"]
    start = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.timezone.utc)
    with time_machine.travel(start, tick=False) as clock:
        client = app.test_client()
        statuses = [_post(client, email, f"faux-{i}-xxxx").status_code for i in range(ACCOUNT_FREE_FAILURES)]
        assert statuses == [422] * ACCOUNT_FREE_FAILURES
        slowed = _post(client, email, factories.PASSWORD)  # the right password, too soon: not even checked
        assert slowed.status_code == 429 and SLOWED in slowed.get_data(as_text=True)
        clock.shift(3)
        assert _post(client, email, factories.PASSWORD).status_code == 302  # the wait is over: in


def test_the_delay_doubles_and_stops_at_the_maximum(app, shop):
    email = shop.emails["support"]
    start = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.timezone.utc)
    waits = []
    with time_machine.travel(start, tick=False) as clock:
        client = app.test_client()
        for i in range(ACCOUNT_FREE_FAILURES + 12):
            resp = _post(client, email, f"faux-{i}-xxxx")
            if resp.status_code == 429:
                text = resp.get_data(as_text=True)
                waits.append(int(text.split("réessayez dans ")[1].split(" s")[0]))
                clock.shift(waits[-1])
                resp = _post(client, email, f"faux-{i}-xxxx")
            assert resp.status_code == 422 and WRONG in resp.get_data(as_text=True)
    assert waits[:4] == [2, 4, 8, 16]
    assert max(waits) == ACCOUNT_MAX_DELAY


def test_a_device_cookie_is_dropped_after_too_many_wrong_passwords(app, shop):
    email = shop.emails["owner"]
    device = app.test_client()
    assert _post(device, email, factories.PASSWORD).status_code == 302
    assert device.get_cookie(DEVICE_COOKIE) is not None
    device.post("/deconnexion")
    for i in range(DEVICE_FAILURES + ACCOUNT_FREE_FAILURES):
        _post(device, email, f"faux-{i}-xxxx")
    assert SLOWED in _post(device, email, factories.PASSWORD).get_data(as_text=True)


def test_forwarded_addresses_are_trusted_only_from_the_configured_proxies():
    def app_with(count):
        app = Flask("probe")
        app.config["TRUSTED_PROXY_COUNT"] = count
        app.add_url_rule("/", "ip", lambda: f"{request.remote_addr} {request.scheme}")
        proxies.init_app(app)
        return app.test_client()

    forged = {"X-Forwarded-For": "10.9.9.9", "X-Forwarded-Proto": "https"}
    assert app_with(0).get("/", headers=forged, environ_base={"REMOTE_ADDR": "198.51.100.1"}).text == "198.51.100.1 http"
    behind = app_with(1).get("/", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.5", "X-Forwarded-Proto": "https"},
                             environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert behind.text == "203.0.113.5 https"  # the client the proxy saw, not what the client wrote before it
