"""How the parts read: rows in batches streamed from the database (`yield_per`), so that a year of
a busy shop stays in bounded memory, and the small tables a row refers to read once."""
from __future__ import annotations

from typing import Iterator

from ...catalog.models import ProductType
from ...extensions import db
from ...shops.models import RepairSite, User

BATCH = 500  # rows read at a time


def batches(query, size: int = BATCH, scalars: bool = False) -> Iterator[list]:
    """The rows of `query` (its first entity with `scalars`) a batch at a time, streamed from the database."""
    result = db.session.execute(query.execution_options(yield_per=size))
    if scalars:
        result = result.scalars()
    for partition in result.partitions():
        yield partition


class Names:
    """The small tables a row refers to (users, sites, product types), read once."""

    def __init__(self) -> None:
        self.users = {u.id: u.display_name for u in db.session.execute(db.select(User)).scalars()}
        self.sites = {s.id: s.name for s in db.session.execute(db.select(RepairSite)).scalars()}
        self.products = {p.id: (p.name, p.fiche_code) for p in db.session.execute(db.select(ProductType)).scalars()}

    def user(self, user_id: int | None) -> str:
        return self.users.get(user_id, "") if user_id else ""

    def product(self, product_type_id: int | None) -> str:
        return self.products.get(product_type_id, ("", None))[0] if product_type_id else ""
