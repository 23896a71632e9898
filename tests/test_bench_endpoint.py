"""The bare endpoint bench/load.py compares the pages with exists only when BENCH_BARE_ENDPOINT is set."""
from qualirepar import create_app


def test_the_bench_endpoint_is_absent_by_default(app, client):
    assert app.config["BENCH_BARE_ENDPOINT"] is False
    assert client.get("/_bench/bare").status_code == 404


def test_switched_on_it_answers_anyone_with_a_line_of_text(app):
    bench = create_app("testing", BENCH_BARE_ENDPOINT=True,
                       **{key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "REDISLITE_PATH", "STORAGE_DIR")})
    resp = bench.test_client().get("/_bench/bare")
    assert resp.status_code == 200 and resp.data == b"ok\n" and resp.mimetype == "text/plain"
