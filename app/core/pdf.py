"""PDF helpers shared by voucher sheets, donation certificates and settlement statements.

`cjk_font()` registers an embeddable TrueType CJK font with reportlab (CJK_FONT_PATH, else
WenQuanYi Micro Hei from Debian's fonts-wqy-microhei, else another TrueType CJK font found on the
machine) and returns its name. Without one it falls back to reportlab's built-in `STSong-Light`
CID font, which is not embedded (the reader must supply it), and logs a warning.
"""

from __future__ import annotations

import logging
import os

from flask import current_app, has_app_context

log = logging.getLogger(__name__)

CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
FONT_NAME = "CJK"
FALLBACK = "STSong-Light"
_registered: str | None = None


def cjk_font() -> str:
    """The name of a registered CJK font (embedded TrueType when one is available)."""
    global _registered  # reportlab keeps its font registry per process too
    if _registered:
        return _registered
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    configured = current_app.config.get("CJK_FONT_PATH") if has_app_context() else None
    for path in ([configured] if configured else []) + list(CANDIDATES):
        if path and os.path.exists(path):
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
            except Exception as exc:  # noqa: BLE001 - try the next candidate
                log.warning("cannot use CJK font %s: %s", path, exc)
                continue
            _registered = FONT_NAME
            return _registered
    log.warning("no TrueType CJK font found (install fonts-wqy-microhei or set CJK_FONT_PATH); "
                "falling back to the non-embedded %s", FALLBACK)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    _registered = FALLBACK
    return _registered


def para(text, style):
    """A reportlab Paragraph that prints `text` literally.

    reportlab reads a Paragraph's text as markup: user text such as `<b>unclosed` would break the
    PDF for good, `<img src="/server/file">` would embed a server file and `<a href=...>` make a
    link. Every Paragraph built from data goes through here: `& < >` escaped, control characters
    removed, line breaks kept as `<br/>`. (tests/core/test_pdf.py checks no other module builds a
    Paragraph itself.)
    """
    from xml.sax.saxutils import escape

    from reportlab.platypus import Paragraph

    from app.core.text import printable

    safe = escape(printable(text)).replace("\r\n", "\n").replace("\n", "<br/>").replace("\t", " ")
    return Paragraph(safe, style)
