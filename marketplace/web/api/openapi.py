"""GET /openapi.json: the API described in OpenAPI 3, written next to the routes it describes.

A test checks that every rule under /api/v1 appears here with its methods.
"""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from marketplace.lifecycle import TRIGGERS
from marketplace.models import InspectionPhase, InspectionRating
from marketplace.web.api import PREFIX, bp

BEARER = [{"bearer": []}]
OPTIONAL_BEARER = [{}, {"bearer": []}]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{name}"}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """A JSON body; OpenAPI 3.0 wants ``required`` left out, not empty, when nothing is."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": bool(required), "content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: str, *, security: list[Any] | None = None,
        body: dict[str, Any] | None = None, errors: tuple[int, ...] = (400, 401, 403, 404, 409),
        parameters: list[Any] | None = None, schema: str | None = None) -> dict[str, Any]:
    """``schema`` names the success body's schema, so clients (and schemathesis) can check it."""
    media: dict[str, Any] = {"schema": _ref(f"schemas/{schema}")} if schema else {}
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {ok: {"description": "Done", "content": {"application/json": media}},
                      **{str(code): _ref("responses/Error") for code in errors}},
    }
    if security is not None:
        operation["security"] = security
    if body is not None:
        operation["requestBody"] = body
    if parameters:
        operation["parameters"] = parameters
    return operation


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "Send the same key again (same body) to get the first answer, status and "
                   "body, instead of a second move of money; the same key with another body is "
                   "422 idempotency_key_reused. Keys are per account. A refused request keeps "
                   "no key."}
MONEY_ERRORS = (400, 401, 403, 404, 409, 422)

INT = {"type": "integer"}
FEN = {"type": "integer", "description": "money in fen (1/100 yuan)"}
STR = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
PROJECT_ID = {"name": "project_id", "in": "path", "required": True, "schema": INT}
MILESTONE_ID = {"name": "milestone_id", "in": "path", "required": True, "schema": INT}
STATION_ID = {"name": "station_id", "in": "path", "required": True, "schema": INT}
TRIGGER = {"name": "trigger", "in": "path", "required": True,
           "schema": {"type": "string", "enum": [*TRIGGERS, "approve"]}}
PAGING = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
          {"name": "per_page", "in": "query",
           "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]
FILTERS = [*({"name": n, "in": "query", "schema": s} for n, s in
             [("state", STR), ("area", STR), ("county", STR), ("group", STR), ("q", STR)]),
           *PAGING]

SINCE = {"name": "since", "in": "query", "schema": TIME,
         "description": "only releases dated at or after this time"}
AS_OF = {"name": "as_of", "in": "query", "schema": {"type": "string", "maxLength": 40},
         "description": "the project as it stood then: an ISO-8601 date (the end of that "
                        "local day), a time with Z or an offset, or a local time without "
                        "one (MARKETPLACE_TIMEZONE); a moment not yet come is now. Before "
                        "the project was published: 404; not a date or time: 400"}
NULL_STR = {"type": "string", "nullable": True}
NULL_TIME = {"type": "string", "format": "date-time", "nullable": True}
NAMED = {"type": "object", "required": ["id", "name"], "properties": {"id": INT, "name": STR}}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """Every listed property is always present (null where the schema says nullable)."""
    return {"type": "object", "required": list(properties), "properties": properties}


def _list_of(key: str, item: str, **more: Any) -> dict[str, Any]:
    return _object({key: {"type": "array", "items": _ref(f"schemas/{item}")}, **more})


PROJECT_SUMMARY = {
    "id": INT, "title": STR, "state": STR,
    "station": _object({"id": INT, "name": STR, "county": STR}),
    "areas": {"type": "array", "items": STR}, "groups": {"type": "array", "items": STR},
    "budget_fen": FEN, "funding_target_fen": FEN, "funding_minimum_fen": FEN,
    "committed_fen": FEN, "people_served": INT, "subscription_opens_at": TIME,
    "subscription_closes_at": TIME, "enquiry_closes_at": NULL_TIME, "tender_closes_at": TIME,
    "created_at": TIME,
    "published_at": NULL_TIME, "closed_at": NULL_TIME,
}
SCHEMAS: dict[str, Any] = {
    "ProjectSummary": _object(PROJECT_SUMMARY),
    "ProjectPage": _list_of("projects", "ProjectSummary", page=INT, per_page=INT, total=INT),
    "Project": _object({
        **PROJECT_SUMMARY, "summary": STR, "review": STR, "review_reason": NULL_STR,
        "cancel_reason": NULL_STR, "remaining_fen": FEN, "version": INT,
        "items": {"type": "array", "items": {"type": "object"}},
        "award": {"type": "object", "nullable": True},
        "milestones": {"type": "array", "items": {"type": "object"}},
        "award_criteria": _object({"price_weight_pct": INT, "quality_weight_pct": INT}),
        "allowed_moves": {"type": "array", "items": STR},
        "as_of": {**TIME, "nullable": True}}),
    "Event": _object({"id": INT, "at": TIME, "actor": STR, "trigger": STR,
                      "from_state": NULL_STR, "to_state": NULL_STR, "reason": NULL_STR,
                      "details": {"nullable": True}}),
    "Events": _list_of("events", "Event"),
    "Bid": _object({"id": INT, "organization": NAMED, "price_fen": FEN, "delivery_plan": STR,
                    "team": STR, "milestone_plan": {"nullable": True}, "status": STR,
                    "score": {"type": "number", "nullable": True,
                              "description": "out of 100 against the award criteria, once "
                                             "the bids are opened"},
                    "price_score": {"type": "number", "nullable": True},
                    "quality_score": {"type": "number", "nullable": True},
                    "submitted_at": TIME}),
    "Bids": _list_of("bids", "Bid", sealed={"type": "boolean"}),
    "Evidence": _object({"id": INT, "report_id": INT, "milestone_id": {**INT, "nullable": True},
                         "name": STR, "content_type": STR, "size_bytes": INT,
                         "sha256": STR, "uploaded_at": TIME, "public": {"type": "boolean"},
                         "download_url": STR}),
    "EvidenceList": _list_of("evidence", "Evidence"),
    "Revoked": _object({"revoked_at": TIME}),
    "Question": _object({"id": INT, "project_id": INT, "question": STR, "asked_at": TIME,
                         "answer": NULL_STR, "answered_at": NULL_TIME}),
    "Questions": _list_of("questions", "Question", enquiry_closes_at=NULL_TIME,
                          enquiries_open={"type": "boolean"}),
    "CreditStep": _object({"at": TIME, "kind": {"type": "string",
                                                "enum": ["returned", "moved", "withdrawn"]},
                           "amount_fen": FEN, "project_id": {"type": "integer",
                                                             "nullable": True},
                           "reason": STR}),
    "Credit": _list_of("steps", "CreditStep", credit_fen=FEN),
    "Withdrawal": _object({"transaction_id": INT, "amount_fen": FEN, "credit_fen": FEN}),
    "Subscription": _object({
        "id": INT, "project_id": INT,
        "project": _object({"id": INT, "title": STR, "state": STR}),
        "amount_fen": FEN, "status": {"type": "string",
                                      "enum": ["committed", "collected", "released"]},
        "from_credit": {"type": "boolean"}, "created_at": TIME,
        "matched_fen": {**FEN, "description": "what the fund matched (0: no offer did)"},
        "match": {**_object({"offer_id": INT, "offer_name": STR, "ratio_pct": INT,
                             "amount_fen": FEN}), "nullable": True},
        "receipt_url": {"type": "string", "description": "the 认购凭证 PDF"}}),
    "Subscribed": {"allOf": [_ref("schemas/Subscription"), _object({
        "project_state": {"type": "string",
                          "description": "the project's state after it: tendering once full"}})]},
    "SubscriptionPage": _list_of("subscriptions", "Subscription", page=INT, per_page=INT,
                                 total=INT),
    "Me": _object({
        "account": _object({"id": INT, "email": STR, "name": STR, "role": STR}),
        "organization": _object({"id": INT, "name": STR, "role": STR, "status": STR,
                                 "county": NULL_STR}),
        "stations": {"type": "array", "items": _object(
            {"id": INT, "name": STR, "county": STR, "town": STR, "status": STR})},
        "panels": {"type": "array", "items": _object(
            {"project_id": INT, "title": STR,
             "role": {"type": "string", "enum": ["member", "recused"]},
             "assigned_at": TIME})}}),
    "Notification": _object({
        "id": INT, "kind": STR,
        "text": _object({"zh": STR, "en": STR}),
        "project_id": {**INT, "nullable": True}, "link": NULL_STR,
        "created_at": TIME, "read_at": NULL_TIME}),
    "Inbox": _list_of("notifications", "Notification", unread=INT, page=INT, per_page=INT,
                      total=INT),
    "Marked": _object({"marked": INT}),
    "Inspection": _object({
        "id": INT, "phase": {"type": "string", "enum": [p.value for p in InspectionPhase]},
        "station_id": INT, "project_id": {**INT, "nullable": True},
        "inspected_on": {"type": "string", "format": "date"}, "inspector": NAMED,
        "rating": {"type": "string", "enum": [r.value for r in InspectionRating]},
        "findings": STR, "follow_up": STR, "recorded_at": TIME}),
    "Inspections": _list_of("inspections", "Inspection", station=_object(
        {"id": INT, "name": STR, "status": STR})),
    "Sheet": _object({"id": INT, "round": INT, "total_score": {"type": "number"},
                      "submitted_at": TIME,
                      "scores": {"type": "object",
                                 "additionalProperties": {"type": "number"}}}),
}

EVIDENCE_ID = {"name": "evidence_id", "in": "path", "required": True, "schema": INT}
# Files go as multipart/form-data, one "file" part per file (repeat the part for several).
UPLOAD = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {
        "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}},
    "encoding": {"file": {"contentType": "application/octet-stream"}}}}}
DOWNLOAD = {
    "summary": "Download one evidence file (as an attachment); public once its milestone is "
               "accepted, before that for the community, the organization, the panel, admin",
    "security": OPTIONAL_BEARER, "parameters": [EVIDENCE_ID],
    "responses": {"200": {"description": "The file, with its original name",
                          "content": {"*/*": {"schema": {"type": "string",
                                                         "format": "binary"}}}},
                  **{str(code): _ref("responses/Error") for code in (401, 403, 404)}},
}

PATHS: dict[str, dict[str, Any]] = {
    "/tokens": {"post": _op(
        "Trade e-mail and password for a bearer token", "201", security=[],
        body=_body({"email": STR, "password": STR}, ["email", "password"]),
        errors=(400, 401, 429))},
    "/tokens/current": {"delete": _op(
        "Revoke the token this call is made with; it gets 401 from then on", "200",
        security=BEARER, errors=(401,), schema="Revoked")},
    "/catalog": {"get": _op("Service areas, service types, beneficiary groups, indicator sets",
                            "200", security=[], errors=())},
    "/projects": {
        "get": _op("Projects past packaging, plus the caller's own bundles", "200",
                   security=OPTIONAL_BEARER, parameters=FILTERS, errors=(400, 401),
                   schema="ProjectPage"),
        "post": _op("A community packages a new bundle", "201", security=BEARER, body=_body(
            {"station_id": INT, "title": STR, "summary": STR, "people_served": INT,
             "items": {"type": "array", "items": {"type": "object", "properties": {
                 "service_code": STR, "quantity": INT, "unit_cost_fen": FEN}}},
             "groups": {"type": "array", "items": STR},
             "funding_target_fen": FEN, "funding_minimum_fen": FEN,
             "subscription_opens_at": TIME, "subscription_closes_at": TIME,
             "enquiry_closes_at": TIME, "tender_closes_at": TIME},
            ["station_id", "title", "funding_target_fen", "funding_minimum_fen",
             "subscription_opens_at", "subscription_closes_at", "tender_closes_at"]))},
    "/projects/{project_id}": {"get": _op(
        "One project: state, money, dates, items, the caller's allowed moves, version; with "
        "as_of, as it stood then (no moves)", "200",
        security=OPTIONAL_BEARER, parameters=[PROJECT_ID, AS_OF], errors=(400, 401, 404),
        schema="Project")},
    "/projects/{project_id}/actions/{trigger}": {"post": _op(
        "Fire a lifecycle move; 409 move_refused names the guard that said no", "200",
        security=BEARER, parameters=[PROJECT_ID, TRIGGER], body=_body(
            {"reason": STR, "bid_id": INT, "tender_closes_at": TIME, "expected_version": INT},
            []))},
    "/projects/{project_id}/subscriptions": {"post": _op(
        "An enterprise commits money; the answer states the fund's match", "201",
        security=BEARER, parameters=[PROJECT_ID, IDEMPOTENCY_KEY],
        body=_body({"amount_fen": FEN}, ["amount_fen"]), errors=MONEY_ERRORS,
        schema="Subscribed")},
    "/subscriptions": {"get": _op(
        "The enterprise's own subscriptions, newest first, with project and match", "200",
        security=BEARER, parameters=PAGING, errors=(400, 401, 403),
        schema="SubscriptionPage")},
    "/subscriptions/{subscription_id}/receipt.pdf": {"get": {
        "summary": "The subscription's receipt (认购凭证) as a PDF: the subscribing enterprise's "
                   "and the administrator's; 404 to anyone else",
        "security": BEARER,
        "parameters": [{"name": "subscription_id", "in": "path", "required": True,
                        "schema": INT}],
        "responses": {"200": {"description": "The PDF, as an attachment",
                              "content": {"application/pdf": {"schema": {
                                  "type": "string", "format": "binary"}}}},
                      **{str(code): _ref("responses/Error") for code in (401, 404)}}}},
    "/me": {"get": _op(
        "The token's account, its organization, its stations and its panel seats", "200",
        security=BEARER, errors=(401,), schema="Me")},
    "/notifications": {"get": _op(
        "The caller's inbox, newest first (unread=true: the unread only)", "200",
        security=BEARER, errors=(400, 401), schema="Inbox",
        parameters=[{"name": "unread", "in": "query", "schema": {"type": "boolean"}},
                    *PAGING])},
    "/notifications/{notification_id}/read": {"post": _op(
        "Mark one of the caller's messages read", "200", security=BEARER, errors=(401, 404),
        schema="Notification",
        parameters=[{"name": "notification_id", "in": "path", "required": True,
                     "schema": INT}])},
    "/notifications/read": {"post": _op(
        "Mark every unread message of the caller read", "200", security=BEARER,
        errors=(401,), schema="Marked")},
    "/credit": {"get": _op(
        "An enterprise's credit (money released or returned to it) and each step of it",
        "200", security=BEARER, errors=(401, 403), schema="Credit")},
    "/credit/moves": {"post": _op(
        "Move credit to a project in subscription: a (matched) subscription paid from credit",
        "201", security=BEARER, body=_body({"project_id": INT, "amount_fen": FEN},
                                           ["project_id", "amount_fen"]),
        parameters=[IDEMPOTENCY_KEY], errors=MONEY_ERRORS, schema="Subscribed")},
    "/credit/withdrawals": {"post": _op(
        "Withdraw credit to the enterprise's bank account, with a reason (409 within_credit "
        "past the credit)", "201",
        security=BEARER, body=_body({"amount_fen": FEN, "reason": STR},
                                    ["amount_fen", "reason"]), parameters=[IDEMPOTENCY_KEY],
        errors=(400, 401, 403, 409, 422), schema="Withdrawal")},
    "/projects/{project_id}/bids": {
        "get": _op("Bids the caller may read: its own, or all once the tender has closed",
                   "200", security=BEARER, parameters=[PROJECT_ID], schema="Bids"),
        "post": _op("A social organization submits (or replaces) its sealed bid", "201",
                    security=BEARER, parameters=[PROJECT_ID], body=_body(
                        {"price_fen": FEN, "delivery_plan": STR, "team": STR,
                         "milestone_plan": {"type": "array", "items": {
                             "type": "object", "properties": {
                                 "title": STR, "due": {"type": "string", "format": "date"},
                                 "share_pct": INT}}}},
                        ["price_fen", "delivery_plan"]))},
    "/projects/{project_id}/bids/mine": {"delete": _op(
        "A social organization withdraws its sealed bid before the tender closes (it will not "
        "be opened nor scored; it may bid again)", "200", security=BEARER,
        parameters=[PROJECT_ID], schema="Bid")},
    "/projects/{project_id}/milestones/{milestone_id}/evidence": {
        "get": _op("The milestone's evidence files the caller may read", "200",
                   security=OPTIONAL_BEARER, parameters=[PROJECT_ID, MILESTONE_ID],
                   errors=(401, 404), schema="EvidenceList"),
        "post": _op("The awarded organization adds evidence files (JPG, PNG, PDF, XLSX, DOCX, "
                    "CSV, TXT; checked by content) to the milestone's report awaiting review",
                    "201", security=BEARER, parameters=[PROJECT_ID, MILESTONE_ID],
                    body=UPLOAD, errors=(400, 401, 403, 404, 409, 413),
                    schema="EvidenceList")},
    "/evidence/{evidence_id}": {"get": DOWNLOAD},
    "/projects/{project_id}/milestones/{milestone_id}/reports": {"post": _op(
        "The awarded organization reports a milestone done", "201", security=BEARER,
        parameters=[PROJECT_ID, MILESTONE_ID],
        body=_body({"body": STR, "people_served": INT}, ["body"]))},
    "/projects/{project_id}/milestones/{milestone_id}/review": {"post": _op(
        "The community accepts a reported milestone or sends it back", "200",
        security=BEARER, parameters=[PROJECT_ID, MILESTONE_ID],
        body=_body({"accept": {"type": "boolean"}, "comment": STR}, ["accept"]))},
    "/projects/{project_id}/panel": {"post": _op(
        "The administrator appoints the evaluation panel", "201", security=BEARER,
        parameters=[PROJECT_ID], body=_body(
            {"evaluator_ids": {"type": "array", "items": INT}}, ["evaluator_ids"]))},
    "/projects/{project_id}/panel/quorum": {"put": _op(
        "The administrator sets how many seated panel members must score before the panel "
        "decides (null: every one)", "200", security=BEARER, parameters=[PROJECT_ID],
        body=_body({"quorum": {**INT, "nullable": True}}, ["quorum"]))},
    "/projects/{project_id}/evaluations": {"post": _op(
        "An evaluator scores the project against its indicator set", "201", security=BEARER,
        parameters=[PROJECT_ID], body=_body(
            {"scores": {"type": "object", "additionalProperties": {"type": "number"}},
             "comments": STR, "no_conflict": {"type": "boolean"}}, ["scores", "no_conflict"]),
        schema="Sheet")},
    "/projects/{project_id}/events": {"get": _op(
        "The project's audit trail", "200", security=OPTIONAL_BEARER, parameters=[PROJECT_ID],
        errors=(401, 404), schema="Events")},
    "/projects/{project_id}/complaints": {
        "get": _op("Complaints about the award the caller may read, and the standstill's end",
                   "200", security=BEARER, parameters=[PROJECT_ID], errors=(401, 404)),
        "post": _op("A losing bidder complains about the award during the standstill", "201",
                    security=BEARER, parameters=[PROJECT_ID],
                    body=_body({"reasons": STR}, ["reasons"]))},
    "/projects/{project_id}/questions": {
        "get": _op("Questions about the tender and their public answers (never who asked); "
                   "open questions only to the community, the administrator and the asker",
                   "200", security=OPTIONAL_BEARER, parameters=[PROJECT_ID], errors=(401, 404),
                   schema="Questions"),
        "post": _op("An approved social organization asks a question before the enquiry "
                    "period ends (400 after it)", "201", security=BEARER,
                    parameters=[PROJECT_ID], body=_body({"question": STR}, ["question"]),
                    schema="Question")},
    "/projects/{project_id}/questions/{question_id}/answer": {"post": _op(
        "The station's community answers a question; the answer is public", "200",
        security=BEARER, parameters=[
            PROJECT_ID, {"name": "question_id", "in": "path", "required": True, "schema": INT}],
        body=_body({"answer": STR}, ["answer"]), schema="Question")},
    "/complaints/{complaint_id}/decision": {"post": _op(
        "The administrator upholds (re-award to the next-best bid) or dismisses a complaint",
        "200", security=BEARER,
        parameters=[{"name": "complaint_id", "in": "path", "required": True, "schema": INT}],
        body=_body({"uphold": {"type": "boolean"}, "reason": STR}, ["uphold", "reason"]))},
    "/stations/{station_id}/inspections": {
        "get": _op("The administrator reads a station's inspections (site, mid-term, effect), "
                   "oldest first", "200", security=BEARER, parameters=[STATION_ID],
                   errors=(401, 403, 404), schema="Inspections"),
        "post": _op("The administrator records an inspection: of the station while it is "
                    "pending (site), or of one of its projects (midterm: in implementation; "
                    "effect: delivered); 409 station_pending or inspection_phase_state when "
                    "the phase does not fit", "201", security=BEARER, parameters=[STATION_ID],
                    body=_body({
                        "phase": {"type": "string",
                                  "enum": [p.value for p in InspectionPhase]},
                        "project_id": {**INT, "description": "midterm and effect only"},
                        "inspected_on": {"type": "string", "format": "date"},
                        "rating": {"type": "string",
                                   "enum": [r.value for r in InspectionRating]},
                        "findings": STR,
                        "follow_up": {**STR, "description": "needed when the rating is fail"}},
                        ["phase", "inspected_on", "rating", "findings"]),
                    schema="Inspection")},
    "/openapi.json": {"get": _op("This document", "200", security=[], errors=())},
    # Open data (web/ocds.py): OCDS 1.1 releases, each as it was at its event, CC BY 4.0.
    "/projects/{project_id}/ocds": {"get": _op(
        "The project's OCDS release package: one release per event, as it stood then", "200",
        security=OPTIONAL_BEARER, parameters=[PROJECT_ID], errors=(401, 404))},
    "/projects/{project_id}/ocds/record": {"get": _op(
        "The project's OCDS record package: its releases, the compiled release and the "
        "versioned release", "200", security=OPTIONAL_BEARER, parameters=[PROJECT_ID],
        errors=(401, 404))},
    "/ocds/releases.jsonl": {"get": {
        "summary": "Every public OCDS release, one JSON object a line; since= keeps those "
                   "dated from then on (incremental harvesting)",
        "security": [], "parameters": [SINCE],
        "responses": {"200": {"description": "Done",
                              "content": {"application/x-ndjson": {"schema": STR}}},
                      "400": _ref("responses/Error")}}},
    "/ocds/releases/{year}-{month}.json": {"get": _op(
        "An OCDS release package of the public releases dated in one month (UTC)", "200",
        security=[], parameters=[
            {"name": "year", "in": "path", "required": True, "schema": INT},
            {"name": "month", "in": "path", "required": True, "schema": INT}, SINCE],
        errors=(400, 404))},
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Love Station marketplace API", "version": "1"},
    "servers": [{"url": PREFIX}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {**SCHEMAS, "Error": {
            "type": "object", "required": ["error", "message"],
            "description": "Every error. A refusal of a rule (a lifecycle guard or a "
                           "service's own check) is a 409 that names it in rule.",
            "properties": {
                "error": {"type": "string", "description": "the code, e.g. conflict, "
                          "move_refused, invalid, idempotency_key_reused"},
                "message": STR,
                "field": {"type": "string", "description": "the input it belongs to"},
                "rule": {"type": "string", "description": "the rule that refused, e.g. "
                         "subscription_window_open, tender_open, within_credit"},
                "trigger": {"type": "string", "description": "move_refused: the move"},
                "state": {"type": "string", "description": "move_refused: the state"},
                "clause": {
                    "type": "object", "required": ["id", "reference", "url"],
                    "description": "the policy clause the refusal rests on, on /policy",
                    "properties": {"id": STR, "reference": STR, "url": STR}}}}},
        "responses": {"Error": {"description": "An error", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}},
    },
}


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return DOCUMENT
