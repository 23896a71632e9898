"""Security headers (issue 17): a Content-Security-Policy the pages satisfy (no inline script or
handler, no eval: checked here on the templates and in every browser walk), HSTS in production on
HTTPS, Permissions-Policy with the camera only where photos are taken."""
import pathlib
import re

from qualirepar import headers

TEMPLATES = pathlib.Path(__file__).resolve().parents[1] / "templates"


def test_every_page_carries_the_policy_and_no_camera_by_default(as_role):
    resp = as_role("owner").get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=()" in resp.headers["Permissions-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in resp.headers  # not in development or tests


def test_the_camera_is_allowed_on_the_pages_that_take_photos(as_role):
    resp = as_role("owner").get("/dossiers/nouveau")
    assert resp.status_code == 200
    assert "camera=(self)" in resp.headers["Permissions-Policy"]


def test_hsts_in_production_on_https_only(app, client):
    app.config["HSTS"] = True
    try:
        assert client.get("/connexion", base_url="https://atelier.example.fr").headers["Strict-Transport-Security"] == headers.HSTS
        assert "Strict-Transport-Security" not in client.get("/connexion").headers  # plain HTTP: RFC 6797 §7.2
    finally:
        app.config["HSTS"] = False


def test_production_config_turns_hsts_on():
    from qualirepar.config import ProductionConfig  # noqa: PLC0415

    assert ProductionConfig.HSTS is True


def test_no_template_has_an_inline_script_handler_or_eval_trigger():
    """What script-src 'self' without 'unsafe-inline' / 'unsafe-eval' would block."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        name = path.relative_to(TEMPLATES)
        if re.search(r"_pdf\.html$|/pdf/|_pdf/", str(name)):
            continue  # rendered by WeasyPrint, never by a browser
        for pattern, what in ((r"<script(?![^>]*\bsrc=)[^>]*>", "inline <script>"), (r"\son[a-z]+\s*=\s*[\"']", "on… handler"),
                              (r"\bhx-on[:-]", "hx-on (eval)"), (r"hx-trigger=\"[^\"]*\[", "hx-trigger filter (eval)"),
                              (r"javascript:", "javascript: URL")):
            if re.search(pattern, text):
                found.append(f"{name}: {what}")
    assert found == []
