"""Product pictures: re-encoded (metadata dropped), at most 800 px, stored in the database so that
every app server behind the proxy can serve them. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import io

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from app.core import audit
from app.core.errors import InvalidInput, NotFound
from app.extensions import db
from app.inventory.models import Product, ProductImage

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_SIDE = 800
MAX_PIXELS = 40_000_000


def set_product_image(product: Product, data: bytes | None) -> Product:
    """Store a JPEG/PNG/WebP picture (re-encoded, metadata dropped, at most 800 px); None removes it."""
    existing = db.session.get(ProductImage, product.id)
    if data is None:
        if existing is not None:
            db.session.delete(existing)
        product.image = None
        db.session.flush()
        audit.record("inventory.product.image", target=product, details={"removed": True})
        return product
    if not data or len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput(_("图片应为 5 MB 以内的 JPEG、PNG 或 WebP 文件"))
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("JPEG", "PNG", "WEBP"):
                raise InvalidInput(_("图片应为 5 MB 以内的 JPEG、PNG 或 WebP 文件"))
            if img.width * img.height > MAX_PIXELS:
                raise InvalidInput(_("图片尺寸过大"))
            img.thumbnail((IMAGE_SIDE, IMAGE_SIDE))
            out = io.BytesIO()
            if img.mode in ("RGBA", "LA", "P"):
                img.convert("RGBA").save(out, "PNG", optimize=True)
                mimetype = "image/png"
            else:
                img.convert("RGB").save(out, "JPEG", quality=85)
                mimetype = "image/jpeg"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(_("图片应为 5 MB 以内的 JPEG、PNG 或 WebP 文件")) from None
    stored = out.getvalue()
    if existing is None:
        db.session.add(ProductImage(product_id=product.id, mimetype=mimetype, data=stored))
    else:
        existing.mimetype, existing.data = mimetype, stored
    product.image = hashlib.sha256(stored).hexdigest()[:16]
    db.session.flush()
    audit.record("inventory.product.image", target=product, details={"bytes": len(stored)})
    return product


def product_image(product_id: int) -> ProductImage:
    image = db.session.get(ProductImage, product_id)
    if image is None:
        raise NotFound(_("该商品没有图片"))
    return image
