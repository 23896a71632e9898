"""qualirepar: workshop software for QualiRépar-labelled repair shops."""
from __future__ import annotations

import logging
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency
from dotenv import load_dotenv
from flask import Flask, g
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_login import current_user
from markupsafe import Markup

from . import errors, headers, i18n, inputs, permissions, proxies, redis_conn, worker
from .config import config_for
from .core.money import french_number
from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the app: settings, extensions, blueprints, CLI and error handlers. Nothing else."""
    load_dotenv()
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates", static_folder="../static")
    config = config_for(config_name)
    app.config.from_object(config)
    app.config.update(overrides)
    config.finalize(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per CSS sheet of every PDF

    proxies.init_app(app)
    db.init_app(app)
    from . import models  # noqa: F401 - register every table on the metadata
    from . import pagecache  # noqa: F401 - its session events bump the page versions on every commit

    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone,
                   default_translation_directories="../translations")
    redis_conn.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    permissions.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    inputs.init_app(app)  # before the blueprints: their <int:...> ids are bounded
    worker.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_template_helpers(app)
    _register_bench_endpoint(app)
    return app


def _init_login(app: Flask) -> None:
    from .auth.services import load_session_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "basic"

    login_manager.user_loader(load_session_user)

    @app.before_request
    def scope_to_shop():
        g.shop_id = current_user.shop_id if current_user.is_authenticated else None


def _register_blueprints(app: Flask) -> None:
    from .auditpack import bp as auditpack_bp
    from .auth import bp as auth_bp
    from .billing import bp as billing_bp
    from .catalog import bp as catalog_bp
    from .checklists import bp as checklists_bp
    from .checklists import settings_bp as checklist_settings_bp
    from .claims import bp as claims_bp
    from .claims import notifications_bp
    from .complaints import bp as complaints_bp
    from .dashboard import bp as dashboard_bp
    from .einvoice.routes import bp as einvoice_bp
    from .explorer import bp as explorer_bp
    from .fec import bp as fec_bp
    from .files import bp as files_bp
    from .fiscal import bp as fiscal_bp
    from .fiscal.closing_views import bp as closings_bp
    from .health import bp as health_bp
    from .intake import bp as intake_bp
    from .ocr import bp as ocr_bp
    from .repairs import bp as repairs_bp
    from .resources import bp as resources_bp
    from .shops import bp as shops_bp

    for bp in (auth_bp, billing_bp, catalog_bp, checklists_bp, claims_bp, notifications_bp, ocr_bp, complaints_bp, einvoice_bp,
               explorer_bp, fec_bp, fiscal_bp, closings_bp, resources_bp, auditpack_bp, checklist_settings_bp, dashboard_bp,
               files_bp, health_bp, intake_bp, repairs_bp, shops_bp):
        app.register_blueprint(bp)


def _register_cli(app: Flask) -> None:
    from .backup.cli import backup_cli
    from .catalog.cli import catalog_cli
    from .demo import demo_cli

    app.cli.add_command(demo_cli)
    app.cli.add_command(catalog_cli)
    app.cli.add_command(backup_cli)
    from .fiscal.cli import fiscal_cli

    app.cli.add_command(fiscal_cli)


def _register_bench_endpoint(app: Flask) -> None:
    """/_bench/bare for bench/load.py, only when BENCH_BARE_ENDPOINT is set: the pages are compared with it."""
    if not app.config.get("BENCH_BARE_ENDPOINT"):
        return

    @permissions.public
    def bench_bare():
        return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}

    app.add_url_rule("/_bench/bare", "bench_bare", bench_bare)


def _user_name(user_id: int) -> str:
    from .shops.models import User

    user = db.session.get(User, user_id)
    return user.display_name if user else "—"


def _organism_name(code: str | None) -> str:
    from .eco.models import ORGANISMS

    return ORGANISMS.get(code, code or "—")


def _attachment_name(kind: str) -> str:
    from .claims.models import ATTACHMENT_LABELS

    return str(ATTACHMENT_LABELS.get(kind, kind))


def _register_template_helpers(app: Flask) -> None:
    from .ocr.models import FIELD_LABELS

    app.jinja_env.globals.update(get_locale=get_locale, ocr_labels=FIELD_LABELS)
    app.jinja_env.filters.update(date=format_date, datetime=format_datetime, time=format_time, euros=_euros,
                                 normalize=french_number, user_name=_user_name,
                                 decimal=lambda v: Decimal(str(v)), organism=_organism_name, attachment=_attachment_name,
                                 css_string=_css_string)


def _euros(value) -> str:
    """flask_babel's format_currency(value, "EUR"), each amount formatted once per locale and process:
    a list repeats the same few bonus amounts, and Babel takes some 30 µs a call."""
    locale = get_locale()
    return _euros_in(type(value), str(value), str(locale), value, locale)


@lru_cache(maxsize=4096)
def _euros_in(_kind, _text, _locale_name, value, locale) -> str:  # the text in the key keeps 25 and 25.00, -0 and 0 apart
    return format_currency(value, "EUR", locale=locale)


def _css_string(value) -> Markup:
    """Text for inside a CSS string ("…"), where HTML escaping would print "&#39;" (PDF footers)."""
    text = str(value or "").replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ")
    return Markup(text)
