"""The security headers of every answer (issue 17).

- **Content-Security-Policy**: scripts only from this site's `static/` (no inline script, no inline
  handler, no `eval`: htmx runs with `allowEval: false`, its trigger filters replaced by the named
  events `static/js/app.js` sends), nothing framed, forms posted only here. Styles allow inline
  `style=""` attributes (Bootstrap utilities in a few templates; a style cannot run code). The browser
  tests fail on any CSP violation a page causes (`tests/browser/conftest.py`), so the pages satisfy it.
- **Strict-Transport-Security** in production, on HTTPS answers (two years, subdomains): a browser
  that has seen the shop's site once never talks to it over plain HTTP again (RFC 6797).
- **Permissions-Policy**: no camera, microphone, geolocation or payment API anywhere, except the camera
  on the pages where photos are taken (`CAMERA_ENDPOINTS`).
MDN and the OWASP Secure Headers project list these; the values are the strict ones they advise."""
from __future__ import annotations

from flask import Flask, current_app, request

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=63072000; includeSubDomains"
NO_DEVICES = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
WITH_CAMERA = NO_DEVICES.replace("camera=()", "camera=(self)")
# The pages where the tablet takes photos: the bon (nameplate), the order's photos, the check-in /
# check-out points, the automatic reading of a document.
CAMERA_ENDPOINTS = frozenset({"intake.new", "repairs.photos", "checklists.run", "ocr.new", "ocr.upload"})


def _headers(resp):
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("Permissions-Policy", WITH_CAMERA if request.endpoint in CAMERA_ENDPOINTS else NO_DEVICES)
    if current_app.config.get("HSTS") and request.is_secure:
        resp.headers.setdefault("Strict-Transport-Security", HSTS)
    return resp


def init_app(app: Flask) -> None:
    app.after_request(_headers)
