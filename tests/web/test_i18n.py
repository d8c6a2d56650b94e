"""Chinese by default; English by a link that the session remembers."""

from __future__ import annotations

from marketplace.lifecycle import State
from tests.factories import gen_cast, gen_project


def test_chinese_by_default_and_english_by_the_switch(client) -> None:
    project = gen_project(gen_cast(), State.PUBLICATION)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "项目发布" in page and "登录" in page
    switched = client.get(f"/lang/en?next=/projects/{project.id}")
    assert switched.headers["Location"] == f"/projects/{project.id}"
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Publication" in page and "Log in" in page and "中文" in page
    client.get("/?lang=zh_CN")
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_the_switch_never_leaves_the_site(client) -> None:
    assert client.get("/lang/en?next=//evil.example/").headers["Location"] == "/"
