"""Recipients' errors with their stable codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict


class RosterUploadGone(Conflict):
    """The upload was already imported (a second "confirm"), or expired, or is someone else's."""

    code = "roster_upload_gone"
    default_message = _l("这份名册已经导入，或已过期，请重新上传")
