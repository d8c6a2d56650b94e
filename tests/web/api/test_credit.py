"""The credit API: an enterprise reads its credit, moves it to a project, withdraws it."""

from __future__ import annotations

from marketplace.lifecycle import State
from marketplace.services.finance.ledger_verify import discrepancies
from tests.factories import gen_project


def test_an_enterprise_moves_and_withdraws_its_credit(client, cast, auth, clock) -> None:
    amount = gen_project(cast, State.UNFUNDED).subscriptions[0].amount_fen
    target = gen_project(cast, State.SUBSCRIPTION)
    clock.set(5)
    headers = auth(cast.enterprises[0])
    statement = client.get("/api/v1/credit", headers=headers).json
    assert statement["credit_fen"] == amount
    assert [s["kind"] for s in statement["steps"]] == ["returned"]
    moved = client.post("/api/v1/credit/moves", headers=headers,
                        json={"project_id": target.id, "amount_fen": 100_00})
    assert moved.status_code == 201 and moved.json["from_credit"]
    withdrawn = client.post("/api/v1/credit/withdrawals", headers=headers,
                            json={"amount_fen": 50_00, "reason": "年终结算"})
    assert withdrawn.status_code == 201
    assert withdrawn.json["credit_fen"] == amount - 150_00 and withdrawn.json["amount_fen"] == 50_00
    steps = client.get("/api/v1/credit", headers=headers).json["steps"]
    assert [(s["kind"], s["amount_fen"]) for s in steps[1:]] == [("moved", -100_00),
                                                                 ("withdrawn", -50_00)]
    assert list(discrepancies()) == []


def test_overdrawing_credit_or_bad_input_is_a_json_error(client, cast, auth, clock) -> None:
    amount = gen_project(cast, State.UNFUNDED).subscriptions[0].amount_fen
    target = gen_project(cast, State.SUBSCRIPTION)
    clock.set(5)
    headers = auth(cast.enterprises[0])
    for path, payload, status, code in [
            ("/api/v1/credit/moves", {"project_id": target.id, "amount_fen": amount + 1},
             409, "conflict"),  # past the credit: the rule within_credit
            ("/api/v1/credit/moves", {"project_id": target.id, "amount_fen": "lots"},
             400, "invalid"),
            ("/api/v1/credit/withdrawals", {"amount_fen": amount + 1, "reason": "x"},
             409, "conflict"),
            ("/api/v1/credit/withdrawals", {"amount_fen": 100}, 400, "invalid")]:
        response = client.post(path, headers=headers, json=payload)
        assert (response.status_code, response.json["error"]) == (status, code), payload
        assert response.json.get("rule") == ("within_credit" if status == 409 else None)
    missing = client.post("/api/v1/credit/moves", headers=headers,
                          json={"project_id": 2**31 - 1, "amount_fen": 1})
    assert missing.status_code == 404
    assert client.get("/api/v1/credit", headers=auth(cast.ngos[0])).status_code == 403
    assert client.get("/api/v1/credit").status_code == 401
    assert client.get("/api/v1/credit", headers=headers).json["credit_fen"] == amount
