"""In Chinese, every page reads in Chinese (issue 14, item 7).

Every page of every role (tests/site_pages.py) is rendered in zh_CN with the demo data; its
visible text, with e-mail addresses, URLs and the demo's own typed data taken out, may hold no
Latin word outside ``ALLOWED``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser

from marketplace.demo import seed
from tests.site_pages import ROLES, log_in, site_pages

# Abbreviations a Chinese reader meets as they are, and proper nouns kept in Latin letters.
ALLOWED = {
    "ID", "API", "CSV", "XLSX", "OCDS", "PDF", "JSON", "SHA", "URL",
    "POST",  # the HTTP method in the tokens page's one line for programmers
    "English",  # the language switch names each language in itself
    "Love", "Station",  # the platform's English name beside its Chinese one, as registered
    "JPG", "PNG",  # the picture formats a cover may have
    "OpenAPI", "CC", "BY", "CN", "USCC",  # a standard's name, the licence CC BY, the scheme CN-USCC
    "since",  # the feed's query parameter, written as it is typed
    "Cookie",  # the privacy policy's word for it, as Chinese privacy policies write it
}
SKIPPED_TAGS = {"script", "style", "title", "svg"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
URL = re.compile(r"(https?://|/)[\w./?=&%#:-]+")
# Values people compare character by character, not words: hashes (the audit head, evidence
# checksums), ISO times as the anchor log records them, the catalog's service codes, unified
# social credit codes (18 digits and capitals), the unit m².
MACHINE = re.compile(r"\b[0-9a-f]{16,}\b|\b[0-9A-Z]{18}\b|\b\d{4}-\d\d-\d\dT[\d:.]+Z?"
                     r"|\b[A-Z]{2}-\d{2}\b|m²")
WORD = re.compile(r"[A-Za-z]+")


class VisibleText(HTMLParser):
    """Text a reader sees: text nodes outside script/style, plus button labels and
    placeholders."""

    def __init__(self) -> None:
        super().__init__()
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        values = dict(attrs)
        if tag == "input" and values.get("type") in {"submit", "button"}:
            self.parts.append(values.get("value") or "")
        for shown in ("placeholder", "aria-label"):
            if values.get(shown):
                self.parts.append(values[shown] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    text = MACHINE.sub(" ", URL.sub(" ", EMAIL.sub(" ", text)))
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def test_visible_text_finds_english_and_skips_allowed_words() -> None:
    html = ('<p>已认购 CSV <b>Subscribed</b> admin@demo.cn https://x.cn/a</p>'
            '<script src="/s.js"></script><button>Save</button>')
    assert english_words(html) == {"Subscribed", "Save"}


def test_every_page_reads_in_chinese(app, client) -> None:  # noqa: ANN001
    seed()
    client.get("/lang/zh_CN")
    pages = site_pages(app, client)
    assert {p.role for p in pages if p.endpoint == "pages.project"} == set(ROLES)
    found: dict[str, set[str]] = defaultdict(set)
    current = None
    for page in pages:
        if page.role != current:
            log_in(client, ROLES[page.role])
            client.get("/lang/zh_CN")
            current = page.role
        words = english_words(client.get(page.url).get_data(as_text=True))
        if words:
            found[f"{page.role} {page.url}"] |= words
    assert not found, "\n".join(f"{where}: {sorted(words)}" for where, words in found.items())


def test_every_message_the_code_marks_has_a_chinese_translation() -> None:
    """Flash messages, refusals and labels shown after a form is sent are not on the pages
    above: every msgid the code and templates mark must be in the zh_CN catalog, translated."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    method_map = [("marketplace/**.py", "python"), ("marketplace/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
                "_l": None, "N_": None}
    marked = {message if isinstance(message, str) else message[0]
              for _file, _line, message, _comments, _context in extract_from_dir(
                  root, method_map, keywords=keywords)}
    with (root / "marketplace/translations/zh_CN/LC_MESSAGES/messages.po").open("rb") as po:
        translated = {m.id if isinstance(m.id, str) else m.id[0]
                      for m in read_po(po) if m.id and m.string and (
                          m.string if isinstance(m.string, str) else m.string[0])}
    assert {"No data yet", "Bundle created"} <= marked and len(marked) > 300  # it found them
    assert not sorted(marked - translated)


def test_every_refusal_a_service_raises_has_a_chinese_translation() -> None:
    """A refusal is shown next to the field as ``_(error.template)``: a template missing from
    the catalog would appear in English on a zh_CN page."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    raised = re.compile(r"\b(?:Invalid|Forbidden|NotFound|Conflict|Busy|MoveRefused|"
                        r"Unauthenticated|TooManyAttempts)\(\s*((?:N_\()?(?:\"[^\"]*\"\s*)+)")
    templates = {"".join(re.findall(r'"([^"]*)"', match.group(1)))
                 for source in [*(root / "marketplace/services").rglob("*.py"),
                                root / "marketplace/lifecycle.py"]
                 for match in raised.finditer(source.read_text())}
    with (root / "marketplace/translations/zh_CN/LC_MESSAGES/messages.po").open("rb") as po:
        translated = {m.id for m in read_po(po) if isinstance(m.id, str) and m.string}
    assert len(templates) > 50  # it found them
    assert not sorted(templates - translated)
