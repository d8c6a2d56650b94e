"""Every string the pages can show has its Chinese translation, and the switch offers the other
language only."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None,
            "lazy_gettext": None}


def test_every_marked_string_has_a_chinese_translation() -> None:
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    with open(ROOT / "marketplace/translations/zh_CN/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po)
    missing = set()
    for filename, line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        if entry is None or not entry.string:
            missing.add(f"{filename}:{line}: {msgid}")
    assert not missing, "untranslated (add to zh_CN messages.po):\n" + "\n".join(sorted(missing))


def test_the_language_switch_offers_only_the_other_language(client) -> None:
    chinese = client.get("/").get_data(as_text=True)
    assert ">English</a>" in chinese and ">中文</a>" not in chinese
    english = client.get("/?lang=en").get_data(as_text=True)
    assert ">中文</a>" in english and ">English</a>" not in english


def test_each_catalog_entry_is_whole_and_said_once() -> None:
    """Babel reads past a stray ``msgstr`` and keeps the last of two equal msgids; both are
    left behind when branches that each appended entries are merged."""
    for po in sorted((ROOT / "marketplace/translations").glob("*/LC_MESSAGES/messages.po")):
        entries = re.split(r"\n[ \t]*\n", po.read_text(encoding="utf-8").strip())
        broken, seen, twice = [], set(), []
        for entry in entries:
            lines = [line for line in entry.splitlines() if not line.startswith("#")]
            if not lines:
                continue  # a comment between groups of entries
            starts = [line.split(" ", 1)[0] for line in lines if not line.startswith('"')]
            if starts.count("msgid") != 1 or not any(s.startswith("msgstr") for s in starts):
                broken.append(entry[:80])
                continue
            first_msgstr = next(i for i, line in enumerate(lines) if line.startswith("msgstr"))
            key = "\n".join(lines[:first_msgstr])  # msgctxt and msgid, as written
            if key in seen:
                twice.append(key[:80])
            seen.add(key)
        assert broken == [] and twice == [], (po, broken, twice)
