"""Message catalogues: every domain keeps its own (app/<domain>/translations/en/...).

The msgids are the Chinese text (the product is Chinese first); the English catalogue
translates them. `python tools/i18n.py update` extracts each domain's strings and merges them
into its English catalogue, keeping existing translations; `check` lists untranslated strings
(the test suite runs the same check).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2)}
METHODS = [("**/translations/**", "ignore"), ("**.py", "python"),
           ("**/templates/**.html", "jinja2.ext:babel_extract")]


def domains() -> list[Path]:
    """app/<domain> folders, plus app/ itself for app/templates (kept in the core catalogue)."""
    return sorted(p for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists())


def extract(domain: Path) -> Catalog:
    catalog = Catalog(locale="en")
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(domain), METHODS, keywords=KEYWORDS):
        catalog.add(message, locations=[(str(domain.name + "/" + filename), lineno)], context=context)
    if domain.name == "core":  # the shared layout and error pages
        for filename, lineno, message, _c, context in extract_from_dir(
                str(APP / "templates"), [("**.html", "jinja2.ext:babel_extract")], keywords=KEYWORDS):
            catalog.add(message, locations=[("templates/" + filename, lineno)], context=context)
    return catalog


def po_path(domain: Path) -> Path:
    return domain / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def load(path: Path) -> Catalog:
    if not path.exists():
        return Catalog(locale="en")
    with path.open("rb") as f:
        return read_po(f, locale="en")


def all_translations() -> dict:
    out = {}
    for domain in domains():
        for msg in load(po_path(domain)):
            if msg.id and msg.string:
                out[msg.id] = msg.string
    return out


def untranslated() -> list[tuple[str, str]]:
    known = all_translations()
    missing = []
    for domain in domains():
        for msg in extract(domain):
            if msg.id and msg.id not in known:
                key = msg.id if isinstance(msg.id, str) else msg.id[0]
                if key not in known:
                    missing.append((domain.name, key))
    return missing


def update() -> None:
    for domain in domains():
        fresh = extract(domain)
        if not len(fresh):
            continue
        path = po_path(domain)
        old = load(path)
        for msg in fresh:
            prev = old.get(msg.id, msg.context)
            if prev is not None and prev.string:
                msg.string = prev.string
        if path.exists() and {m.id for m in fresh if m.id} == {m.id for m in old if m.id}:
            continue  # nothing new: leave the file (and its header dates) alone
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, fresh, width=100, sort_output=True, omit_header=False)
        print(f"{path.relative_to(ROOT)}: {len(fresh)} messages")


def compile_all(*, only_stale: bool = False) -> None:
    """Write the .mo file beside every catalogue (make run / make test do this)."""
    from babel.messages.mofile import write_mo

    for po in APP.glob("*/translations/*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if only_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        with mo.open("wb") as f:
            write_mo(f, catalog)


def fill(mapping_file: str) -> None:
    """Set English strings from a JSON object {chinese msgid: english} where still empty."""
    import json

    mapping = json.loads(Path(mapping_file).read_text(encoding="utf-8"))
    for domain in domains():
        path = po_path(domain)
        if not path.exists():
            continue
        catalog = load(path)
        changed = 0
        for msg in catalog:
            if msg.id and not msg.string and msg.id in mapping:
                msg.string = mapping[msg.id]
                changed += 1
        if changed:
            with path.open("wb") as f:
                write_po(f, catalog, width=100, sort_output=True)
            print(f"{path.relative_to(ROOT)}: {changed} filled")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "check"
    if cmd == "update":
        update()
    elif cmd == "compile":
        compile_all()
        sys.exit(0)
    elif cmd == "fill":
        fill(sys.argv[2])
    missing = untranslated()
    for domain, msgid in missing:
        print(f"untranslated [{domain}]: {msgid}")
    sys.exit(1 if (cmd == "check" and missing) else 0)
