"""Tenant scoping, in one place.

Every model that holds shop data inherits `TenantScoped`. While a shop is current (a logged-in
user's request, or a job or command inside `as_shop`), every ORM SELECT gets
`shop_id = <current shop>` added for all of those models, including `session.get`, lazy loads and
joins. A foreign id therefore simply is not found, and views answer 404 without checking anything.
New rows get the current shop's id; a row of another shop cannot be flushed.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import g, has_app_context
from sqlalchemy import ForeignKey, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, declared_attr, mapped_column, with_loader_criteria


class TenantScoped:
    """Mixin: the row belongs to one shop."""

    @declared_attr
    def shop_id(cls) -> Mapped[int]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(ForeignKey("shop.id", ondelete="CASCADE"), index=True)


class CrossTenantWrite(RuntimeError):
    """A row of one shop was about to be written while another shop is current."""


def current_shop_id() -> int | None:
    """The shop whose data may be read now, or None outside any shop (login, CLI, sandbox)."""
    if not has_app_context():
        return None
    return g.get("shop_id")


def set_current_shop(shop_id: int | None) -> None:
    g.shop_id = shop_id


@contextmanager
def as_shop(shop_id: int | None) -> Iterator[None]:
    """Run a block (a job, a command, a test) as one shop."""
    previous = g.get("shop_id")
    g.shop_id = shop_id
    try:
        yield
    finally:
        g.shop_id = previous


@event.listens_for(Session, "do_orm_execute")
def _add_tenant_criteria(state: ORMExecuteState) -> None:
    shop_id = current_shop_id()
    if shop_id is None or not state.is_select or state.execution_options.get("all_shops"):
        return
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.shop_id == shop_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_and_guard(session: Session, flush_context, instances) -> None:
    shop_id = current_shop_id()
    if shop_id is None:
        return
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.shop_id is None and obj in session.new:
            obj.shop_id = shop_id
        elif obj.shop_id != shop_id:
            raise CrossTenantWrite(f"{type(obj).__name__} of shop {obj.shop_id} written as shop {shop_id}")
