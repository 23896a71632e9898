"""Answer every mandatory control point of an order (for tests about what comes after)."""
import io

from PIL import Image
from werkzeug.datastructures import FileStorage

from qualirepar.checklists import services


def order_of(order_id: int):
    """The order, in the current shop's scope (inside the `ctx` fixture or an as_shop block)."""
    from qualirepar.extensions import db
    from qualirepar.repairs.models import RepairOrder

    return db.session.get(RepairOrder, order_id)


def jpeg(size=(64, 48), orientation: int | None = None) -> bytes:
    buf = io.BytesIO()
    img = Image.new("RGB", size, "teal")
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        img.save(buf, "JPEG", exif=exif)
    else:
        img.save(buf, "JPEG")
    return buf.getvalue()


def good_value(point) -> str:
    if point.kind == "yes_no":
        return "oui"
    if point.kind == "measure":
        return str(point.max_value / 2 if point.max_value is not None else point.min_value * 2)
    if point.kind == "choice":
        return point.choices[0]
    return "RAS"


def fill(order, phase: str) -> None:
    for row in services.rows(order, phase):
        if row.point.mandatory and row.answer is None:
            upload = FileStorage(io.BytesIO(jpeg()), "plaque.jpg", content_type="image/jpeg") if row.point.kind == "photo" else None
            services.answer(order, row.point, good_value(row.point), upload)
