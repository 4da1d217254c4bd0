"""The programme's recipient categories and the labels civil-affairs systems write for them.

ONE table (`LABELS`) says what each label in a roster's category column becomes; the roster
import, the registry's filter and `create_recipient` all parse through `parse_category`, and
the import page shows the same table. A label not in it is refused with its row and reason.

Labels are compared after NFKC (full-width letters and brackets fold to ASCII), without spaces
or brackets and case-folded: `特困人员（分散供养）`, `特困人员(分散供养)` and `特困人员分散供养`
are one label; `DIBAO` is `dibao`.

The table (civil-affairs naming, 《社会救助暂行办法》 and the assistance information system):
- 低保 (minimum living guarantee): urban and rural programmes, under their full names too;
- 特困 (extreme poverty, 特困人员救助供养): scattered (分散) or institutional (集中) support,
  urban or rural; 农村五保 and the urban 三无人员 were merged into it in 2014, and old
  lists still carry those words;
- 低保边缘 (households just above the dibao line).
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

CATEGORIES = ("dibao", "tekun", "dibao_edge")
NAMES = {"dibao": _l("低保"), "tekun": _l("特困"), "dibao_edge": _l("低保边缘")}

LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dibao", ("低保", "低保户", "低保对象", "城市低保", "农村低保", "城镇低保", "城乡低保",
               "城市低保户", "农村低保户", "最低生活保障", "城市最低生活保障", "农村最低生活保障",
               "城市居民最低生活保障", "农村居民最低生活保障", "单人保", "dibao")),
    ("tekun", ("特困", "特困人员", "特困供养", "特困供养人员", "特困人员救助供养", "分散供养",
               "集中供养", "特困人员（分散供养）", "特困人员（集中供养）", "分散供养特困人员",
               "集中供养特困人员", "城市特困", "农村特困", "城市特困人员", "农村特困人员",
               "五保", "五保户", "农村五保", "三无人员", "tekun")),
    ("dibao_edge", ("低保边缘", "低保边缘户", "低保边缘家庭", "低保边缘人口", "dibao_edge")),
)

_DROP = re.compile(r"[\s()\[\]【】（）〔〕<>《》·•・\-_—/、,，.。:：]+")


def _key(text) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text or ""))).casefold()


_LOOKUP = {_key(label): category for category, labels in LABELS for label in labels}
_KEEP = re.compile(r"[a-z_]+")


def parse_category(text) -> str | None:
    """`dibao`, `tekun` or `dibao_edge` for a label of the table (or a category itself), else None."""
    if not text:
        return None
    raw = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    if raw in CATEGORIES:  # `dibao_edge` keeps its underscore
        return raw
    return _LOOKUP.get(_key(text))


def label_table() -> list[dict]:
    """For the import page: each category, its name, and the labels that become it."""
    return [{"category": category, "name": NAMES[category],
             "labels": [label for label in labels if not _KEEP.fullmatch(label)],
             "codes": [label for label in labels if _KEEP.fullmatch(label)]}
            for category, labels in LABELS]
