"""The site around the pages: the station directory, the policy page, the header and footer, the
open-data page, and a refusal that names its policy clause on a page and in the API."""

from __future__ import annotations

import re
from pathlib import Path

from marketplace.config import load_config
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import NamingStatus, Role, StationStatus, Volunteer
from marketplace.policy import BY_ID, CLAUSES, STAGE_NOTES
from marketplace.services.packaging.naming import apply_for_naming, choose_naming
from marketplace.web.infra.filters import local_time
from tests.factories import PASSWORD, at, gen_account, gen_cast, gen_project, gen_station
from tests.web.figures import figures

PACKAGE = Path(__file__).resolve().parents[2] / "marketplace"


def test_the_directory_lists_approved_stations_by_county_with_sponsor_term_and_more(
        client) -> None:
    cast = gen_cast()
    wuma = gen_station(cast.community)
    yuhai = gen_station(cast.community, name="玉海社区爱心驿站", county="瑞安市", town="玉海街道")
    pending = gen_station(cast.community, name="未批驿站", status=StationStatus.PENDING)
    published = gen_project(cast, State.PUBLICATION, station=wuma)
    published.title = "独居老人助餐"
    draft = gen_project(cast, State.PACKAGING, station=wuma)
    draft.title = "尚未发布的草稿"
    db.session.add_all([Volunteer(station=wuma, name="王芳"), Volunteer(station=wuma, name="李强"),
                        Volunteer(station=pending, name="赵六")])
    db.session.commit()
    sponsor = cast.enterprises[0]
    right = apply_for_naming(yuhai.id, "鹿城银行玉海爱心驿站", 100_000 * 100, actor=sponsor,
                             now=at(1))
    choose_naming(right.id, actor=cast.community, now=at(2))
    db.session.expire_all()
    assert right.status is NamingStatus.ACTIVE

    page = client.get("/stations?lang=en").get_data(as_text=True)
    headings = re.findall(r"<h2>([^<]+)</h2>", page)
    assert headings == sorted(["鹿城区", "瑞安市"])  # one section per county, in order
    assert "未批驿站" not in page and f"/stations/{pending.id}" not in page
    assert f'href="/stations/{wuma.id}"' in page and f'href="/stations/{yuhai.id}"' in page
    named = figures(page, f"station-figures-{yuhai.id}")
    assert named["Naming sponsor"] == sponsor.organization.name
    assert named["Naming term"] == (f"{local_time(right.starts_at, '%Y-%m-%d')} – "
                                    f"{local_time(right.ends_at, '%Y-%m-%d')}")
    assert "鹿城银行玉海爱心驿站" in page  # the station shows under the name it carries
    plain = figures(page, f"station-figures-{wuma.id}")
    assert plain["Naming sponsor"] == "Not named" and "Naming term" not in plain
    assert plain["Projects"] == "1" and plain["Volunteers"] == "2"
    assert "独居老人助餐" in page and "尚未发布的草稿" not in page
    assert 'aria-current="page">Love Stations<' in page


def test_the_directory_without_stations_says_what_a_station_needs(client) -> None:
    page = client.get("/stations?lang=en").get_data(as_text=True)
    assert "No station has been approved yet." in page and 'href="/policy#station-area"' in page


def test_the_policy_page_explains_the_stages_and_quotes_each_rule_under_its_anchor(
        client) -> None:
    page = client.get("/policy").get_data(as_text=True)
    for clause in CLAUSES:
        section = page.split(f'id="{clause.id}"', 1)[1].split("</section>", 1)[0]
        assert clause.quote in section and clause.reference in section
    assert "10万元以上" in page and "30平方米以上" in page and "一层位置" in page
    assert "不可同时出现两个及以上的名称" in page and "冠名使用期限为一年" in page
    stages = page.split('id="stages"', 1)[1]
    for state in STAGE_NOTES:
        assert f'id="stage-{state.value}"' in stages
    assert stages.index("项目包装") < stages.index("项目发布") < stages.index("项目认购") \
        < stages.index("项目招投标") < stages.index("项目实施") < stages.index("项目评估")
    english = client.get("/policy?lang=en").get_data(as_text=True)
    assert "at least 100,000 yuan" in english and "ground floor" in english


def test_every_clause_a_refusal_names_is_on_the_policy_page() -> None:
    named = set()
    for path in PACKAGE.rglob("*.py"):
        named |= set(re.findall(r'clause(?: =|=) ?"([a-z-]+)"', path.read_text()))
    assert named and named <= set(BY_ID), named - set(BY_ID)
    assert {"naming-donation", "one-name", "ground-floor", "station-area", "stages"} <= named


def test_the_header_marks_the_current_section_and_the_footer_shows_the_settings(
        app, client) -> None:
    app.config.update(SITE_ORGANISER="温州市民政局社会救助处", SITE_CONTACT="0577-88888888",
                      SITE_ICP="浙ICP备00000000号", SITE_PSB="浙公网安备33030000000000号")
    page = client.get("/policy").get_data(as_text=True)
    nav = page.split('class="site-sections"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r">([^<]+)</a>", nav) == ["项目", "爱心驿站", "发展基金", "公开数据",
                                                "政策说明"]
    assert re.findall(r'href="([^"]+)"', nav) == ["/", "/stations", "/fund", "/open-data",
                                                  "/policy"]
    assert nav.count("aria-current") == 1 and 'aria-current="page">政策说明<' in nav
    footer = page.split('class="site-footer"', 1)[1]
    assert "主办单位：温州市民政局社会救助处" in footer and "联系方式：0577-88888888" in footer
    assert "浙ICP备00000000号" in footer and "浙公网安备33030000000000号" in footer
    assert 'href="/privacy"' in footer and "隐私政策" in footer
    app.config.update(SITE_ICP="", SITE_PSB="", SITE_CONTACT="")
    footer = client.get("/").get_data(as_text=True).split('class="site-footer"', 1)[1]
    assert 'id="site-icp"' not in footer and 'id="site-contact"' not in footer
    privacy = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "温州市民政局社会救助处" in privacy and "never the password itself" in privacy


def test_the_footer_settings_come_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MARKETPLACE_ORGANISER", "某县民政局")
    monkeypatch.setenv("MARKETPLACE_CONTACT", "mzj@example.gov.cn")
    monkeypatch.setenv("MARKETPLACE_ICP", "浙ICP备12345678号")
    monkeypatch.setenv("MARKETPLACE_PSB", "浙公网安备33030202000001号")
    config = load_config(tmp_path)
    assert (config["SITE_ORGANISER"], config["SITE_CONTACT"], config["SITE_ICP"],
            config["SITE_PSB"]) == ("某县民政局", "mzj@example.gov.cn", "浙ICP备12345678号",
                                    "浙公网安备33030202000001号")
    for name in ("MARKETPLACE_CONTACT", "MARKETPLACE_ICP", "MARKETPLACE_PSB"):
        monkeypatch.delenv(name)
    assert load_config(tmp_path)["SITE_ICP"] == ""


def test_the_open_data_page_links_every_download_and_each_answers(client) -> None:
    page = client.get("/open-data?lang=en").get_data(as_text=True)
    links = re.findall(r'href="([^"#]+)"', page.split("<main>", 1)[1].split("</main>", 1)[0])
    for url in ("/ledger.csv", "/ledger.xlsx", "/audit/head", "/audit/head.json", "/fund",
                "/api/v1/projects", "/api/v1/openapi.json"):
        assert url in links
        assert client.get(url).status_code == 200, url


def test_a_refused_station_names_the_ground_floor_clause_and_links_to_it(client, auth) -> None:
    auth.login(gen_account(Role.COMMUNITY))
    page = client.post("/community/stations/new", data={
        "name": "二楼驿站", "county": "鹿城区", "town": "五马街道", "address": "解放街 88 号",
        "floor": "2", "area_m2": "40", "registration_number": "52330302MJ8936225D",
        "director": "陈主任", "opening_hours": "8:30–17:00", "social_workers": "1",
    }).get_data(as_text=True)
    refusal = page.split('id="refusal-clause"', 1)[1].split("</p>", 1)[0]
    assert "温民救〔2013〕81号 五（一）" in refusal and 'href="/policy#ground-floor"' in refusal
    assert "选址在一层" in refusal
    assert 'id="ground-floor"' in client.get("/policy").get_data(as_text=True)


def test_a_naming_offer_under_the_minimum_names_its_clause(client, auth) -> None:
    cast = gen_cast()
    station = gen_station(cast.community)
    auth.login(cast.enterprises[0])
    page = client.post("/enterprise/naming?lang=en", data={
        "station": str(station.id), "name": "小额冠名", "donation": "50000"})
    assert page.status_code == 400
    refusal = page.get_data(as_text=True).split('id="refusal-clause"', 1)[1].split("</p>", 1)[0]
    assert 'href="/policy#naming-donation"' in refusal and "五（四）" in refusal


def test_the_api_names_the_clause_of_a_refused_move(client) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    token = client.post("/api/v1/tokens", json={"email": cast.community.email,
                                                "password": PASSWORD}).json["token"]
    answer = client.post(f"/api/v1/projects/{project.id}/actions/submit_for_evaluation",
                         headers={"Authorization": f"Bearer {token}"}, json={})
    assert answer.status_code == 409, answer.json
    assert answer.json["error"] == "move_refused" and answer.json["state"] == "subscription"
    assert answer.json["clause"] == {"id": "stages", "reference": "温民救〔2013〕81号 五（六）",
                                     "url": "/policy#stages"}


def test_the_new_pages_speak_chinese_when_chinese_is_chosen(client, clock) -> None:
    clock(at(5))
    gen_project(gen_cast(), State.SUBSCRIPTION)  # a card with its days left, a station listed
    allowed = {"ID", "API", "CSV", "XLSX", "OCDS", "PDF", "JSON", "OpenAPI", "Cookie", "api",
               "v1", "projects", "id", "ocds", "English",  # the OCDS address; the switch
               "json", "releases", "record", "since", "YYYY", "MM",  # the feed's addresses
               "CC", "BY", "CN", "USCC"}  # the licence's name, the identifier scheme's code
    for url in ("/", "/stations", "/policy", "/privacy", "/open-data"):
        page = client.get(url).get_data(as_text=True)
        text = re.sub(r"<[^>]+>", " ", page.split("<body>", 1)[1])
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - allowed
        assert not words, (url, words)
