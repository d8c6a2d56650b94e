"""A tender that can be compared: the criteria published before anyone bids, a bid above the
budget refused at its field, documents attached to a bid and read only by those who may read
the bid, and the community's table of the opened bids scored against the criteria."""

from __future__ import annotations

import io
from pathlib import Path

from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Bid, BidDocument, BidStatus, Role
from marketplace.services.core.moves import move
from marketplace.services.core.unit import atomic
from marketplace.services.implementation.evidence import Upload, kept_only_on_commit
from marketplace.services.tendering import documents
from tests.evidence_files import EXE, PDF, XLSX
from tests.factories import at, gen_account, gen_cast, gen_project
from tests.web.figures import figures, table_rows


def _bid(client, project, price="1000", files=(), plan="入户服务方案"):  # noqa: ANN001, ANN202
    return client.post(f"/ngo/projects/{project.id}/bid?lang=en",
                       data={"price": price, "delivery_plan": plan, "team": "社工 2 名",
                             "documents": [(io.BytesIO(data), name) for name, data in files]},
                       content_type="multipart/form-data")


def _status(client, url: str) -> int:  # noqa: ANN001
    with client.get(url) as response:  # a file sent is closed here, not left to the collector
        return response.status_code


def _bids() -> list[tuple[int, BidStatus, int]]:
    db.session.expire_all()
    return db.session.execute(db.select(Bid.id, Bid.status, Bid.price_fen)
                              .order_by(Bid.id)).all()


def test_the_organization_reads_the_award_criteria_before_it_bids(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(20))
    auth.login(cast.ngos[0])
    page = client.get(f"/ngo/projects/{project.id}").get_data(as_text=True)
    shown = figures(page, "award-criteria")
    assert shown["价格权重"] == "30%" and shown["质量权重"] == "70%"
    whole, cents = divmod(project.budget_fen, 100)
    assert shown["最高限价"] == f"¥{whole:,}.{cents:02d}"
    english = figures(client.get(f"/ngo/projects/{project.id}?lang=en").get_data(as_text=True),
                      "award-criteria")
    assert english["Price weight"] == "30%" and english["Quality weight"] == "70%"


def test_a_bid_above_the_budget_is_refused_next_to_the_price(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(20))
    before = _bids()
    auth.login(cast.ngos[0])
    too_dear = (project.budget_fen + 1) / 100
    response = _bid(client, project, price=f"{too_dear:.2f}", files=[("资质.pdf", PDF)],
                    plan="报价过高的方案")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    whole, cents = divmod(project.budget_fen, 100)
    assert (f'id="price-error">The price is above the budget of ¥{whole:,}.{cents:02d}.'
            in page)
    assert "报价过高的方案" in page  # what was typed is kept
    assert _bids() == before
    assert db.session.execute(db.select(db.func.count(BidDocument.id))).scalar_one() == 0


def test_the_bundle_form_takes_the_criteria_and_refuses_weights_not_adding_up(
        client, auth) -> None:
    from tests.factories import gen_station, services

    cast = gen_cast()
    station = gen_station(cast.community)
    auth.login(cast.community)
    form = client.get("/community/bundles/new").get_data(as_text=True)
    assert 'name="price_weight"' in form and 'value="30"' in form and 'value="70"' in form
    data = {"station": str(station.id), "title": "助老午餐", "items-0-service":
            services(1)[0].code, "items-0-quantity": "10", "items-0-unit_cost": "25.50",
            "target": "255", "minimum": "100", "subscription_opens_at": "2026-12-01",
            "subscription_closes_at": "2026-12-15", "tender_closes_at": "2026-12-30",
            "price_weight": "40", "quality_weight": "70"}
    refused = client.post("/community/bundles/new?lang=en", data=data)
    assert refused.status_code == 400
    assert ('id="quality_weight-error">The price and quality weights must add up to 100 '
            "(now 110).") in refused.get_data(as_text=True)
    from marketplace.models import Project
    assert db.session.execute(db.select(db.func.count(Project.id))).scalar_one() == 0
    assert client.post("/community/bundles/new",
                       data={**data, "quality_weight": ""}).status_code == 302  # 40/60
    project = db.session.execute(db.select(Project)).scalar_one()
    assert (project.price_weight_pct, project.quality_weight_pct) == (40, 60)


def test_the_community_compares_the_opened_bids_by_their_score(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(31))
    auth.login(cast.community)
    page = client.get(f"/community/projects/{project.id}").get_data(as_text=True)
    assert 'class="form wide"' in page  # the table is not squeezed into a form's width
    header, *rows = table_rows(page, "bid-table")
    assert header == ["选择", "组织", "报价", "方案", "履约经验", "价格分", "质量分", "评分"]
    by_org = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    first = by_org[cast.ngos[0].organization.name]
    second = by_org[cast.ngos[1].organization.name]
    assert (first["价格分"], first["质量分"], first["评分"]) == ("30.00", "42.00", "72.00")
    assert float(second["评分"]) < 72.0
    assert first["履约经验"] == "尚无在本平台完成的项目"
    assert [row[1] for row in rows] == [cast.ngos[0].organization.name,
                                        cast.ngos[1].organization.name]  # best first
    assert "<details><summary>完整方案</summary>" in page
    assert figures(page, "award-criteria")["价格权重"] == "30%"


def test_documents_reach_only_those_who_may_read_the_bid(app, client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    other_community = gen_account(Role.COMMUNITY)
    outsider = gen_account(Role.EVALUATOR)
    clock(at(20))
    auth.login(cast.ngos[0])
    assert _bid(client, project, files=[("资质证书.pdf", PDF), ("预算表.xlsx", XLSX)]
                ).status_code == 302
    rows = db.session.execute(db.select(BidDocument).order_by(BidDocument.id)).scalars().all()
    assert [r.original_name for r in rows] == ["资质证书.pdf", "预算表.xlsx"]
    assert (Path(app.config["UPLOAD_FOLDER"]) / rows[0].stored_name).read_bytes() == PDF
    url = f"/bid-documents/{rows[0].id}"
    assert url in client.get(f"/ngo/projects/{project.id}").get_data(as_text=True)
    # a replacing bid keeps the documents
    assert _bid(client, project, price="900", plan="改进的方案").status_code == 302
    db.session.expire_all()
    current = next(b for b in project.bids if b.status is BidStatus.SUBMITTED
                   and b.organization_id == cast.ngos[0].organization_id)
    assert [d.original_name for d in current.documents] == ["资质证书.pdf", "预算表.xlsx"]
    auth.logout()

    readers = {"bidder": cast.ngos[0], "second_ngo": cast.ngos[1], "community": cast.community,
               "other_community": other_community, "admin": cast.admin,
               "evaluator": outsider, "visitor": None}

    def answers() -> dict[str, int]:
        seen = {}
        for name, account in readers.items():
            if account is not None:
                auth.login(account)
            with client.get(url) as response:
                seen[name] = response.status_code
                if response.status_code == 200:
                    assert response.data == PDF
                    assert response.headers["Content-Disposition"].startswith("attachment")
                    assert response.headers["X-Content-Type-Options"] == "nosniff"
                    assert "no-store" in response.headers["Cache-Control"]
            if account is not None:
                auth.logout()
        return seen

    sealed = answers()
    assert sealed == {"bidder": 200, "second_ngo": 404, "community": 404,
                      "other_community": 404, "admin": 404, "evaluator": 404, "visitor": 404}
    opened = {**sealed, "community": 200, "admin": 200}
    clock(at(31))
    assert answers() == opened
    auth.login(cast.community)
    assert url in client.get(f"/community/projects/{project.id}").get_data(as_text=True)
    move(project.id, "award", actor=cast.community, now=at(31), bid_id=current.id)
    auth.logout()
    clock(at(32))
    assert answers() == opened  # the award publishes who won and the price, not the files
    assert url not in client.get(f"/projects/{project.id}").get_data(as_text=True)


def test_a_withdrawn_bid_s_documents_stay_with_the_bidder(client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(20))
    auth.login(cast.ngos[1])
    assert _bid(client, project, files=[("方案.pdf", PDF)]).status_code == 302
    document = db.session.execute(db.select(BidDocument)).scalar_one()
    assert client.post(f"/ngo/projects/{project.id}/bid/withdraw").status_code == 302
    clock(at(31))
    assert _status(client, f"/bid-documents/{document.id}") == 200
    auth.logout()
    auth.login(cast.community)
    assert client.get(f"/bid-documents/{document.id}").status_code == 404  # never opened


def test_the_panel_reads_the_awarded_bid_s_documents(app, client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.EVALUATION)
    winner = project.award.bid
    with kept_only_on_commit() as written, atomic():
        documents.store(winner, documents.check([Upload("方案.pdf", PDF)]),
                        actor=cast.ngos[0], now=at(20), written=written)
    document = db.session.execute(db.select(BidDocument)).scalar_one()
    clock(at(80))
    for account, status in ((cast.evaluators[0], 200), (gen_account(Role.EVALUATOR), 404),
                            (cast.ngos[1], 404), (cast.ngos[0], 200), (cast.community, 200)):
        auth.login(account)
        assert _status(client, f"/bid-documents/{document.id}") == status, account.email
        auth.logout()
    assert client.get(f"/bid-documents/{document.id}").status_code == 404
    assert client.get("/bid-documents/99999").status_code == 404


def test_a_disguised_document_is_refused_next_to_the_field(app, client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.TENDERING)
    clock(at(20))
    before = _bids()
    auth.login(cast.ngos[0])
    response = _bid(client, project, files=[("资质.pdf", EXE)], plan="附伪装文件的方案")
    assert response.status_code == 409
    assert 'id="documents-error">资质.pdf is not really a PDF file.' in \
        response.get_data(as_text=True)
    app.config["UPLOAD_MAX_FILES"] = 1
    too_many = _bid(client, project, files=[("a.pdf", PDF), ("b.pdf", PDF)])
    assert 'id="documents-error">A bid takes at most 1 documents.' in \
        too_many.get_data(as_text=True)
    assert _bids() == before
    assert db.session.execute(db.select(db.func.count(BidDocument.id))).scalar_one() == 0
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not any(folder.iterdir())
