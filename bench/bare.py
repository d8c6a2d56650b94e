"""The baseline for ``bench/pages.py``: a bare Flask app serving pages of given sizes.

Each page renders a Jinja template from constants (no database, no extensions), padded to
the byte size of the product's page it stands for, so the ratio ours / bare measures what
the product adds on top of Flask, Jinja and gunicorn. Sizes come from ``BARE_SIZES``, e.g.
``BARE_SIZES=listing=41000,project=23000,api=9000``; a name ending in ``api`` answers JSON.

    BARE_SIZES=... gunicorn -w 4 bench.bare:app
"""

from __future__ import annotations

import os

from flask import Flask, render_template_string

TEMPLATE = """<!doctype html><html lang="zh-CN"><head><title>{{ title }}</title></head><body>
<ul>{% for row in rows %}<li><a href="/projects/{{ loop.index }}">{{ row }}</a></li>{% endfor %}
</ul>{{ pad }}</body></html>"""
ROW = "公益项目：助餐服务包，五马社区爱心驿站"


def _page(size: int) -> dict[str, object]:
    """Template context whose rendering is ``size`` bytes (UTF-8), give or take a row."""
    rows = [ROW] * max(size // 200, 1)
    bare = len(render_template_string(TEMPLATE, title="bench", rows=rows, pad="")
               .encode("utf-8"))
    return {"title": "bench", "rows": rows, "pad": "x" * max(size - bare, 0)}


def _json_page(size: int) -> dict[str, object]:
    """A JSON document of about ``size`` bytes, serialised on each request as the API does."""
    item = {"id": 1, "title": ROW, "state": "completed", "budget_fen": 12_345_600,
            "station": {"id": 3, "name": "爱心驿站 3", "county": "鹿城区"}}
    one = len(app.json.dumps(item).encode("utf-8"))
    return {"projects": [item] * max(size // one, 1), "page": 1, "per_page": 20}


def _sizes() -> dict[str, int]:
    given = os.environ.get("BARE_SIZES", "listing=40000,project=20000,api=8000")
    return {name: int(size) for name, size in (pair.split("=") for pair in given.split(","))}


app = Flask(__name__)
with app.app_context():
    PAGES = {name: _json_page(size) if name.endswith("api") else _page(size)
             for name, size in _sizes().items()}


@app.get("/<name>")
def page(name: str) -> dict[str, object] | str:
    if name.endswith("api"):
        return PAGES[name]
    return render_template_string(TEMPLATE, **PAGES[name])
