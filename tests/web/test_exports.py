"""Exports cannot carry formulas (issue 12, item 7): the findings replayed over HTTP.

A community typed its station's county as ``=HYPERLINK(…)`` and an enterprise signed up named
``=1+cmd|' /C calc'!A0``; both became live formula cells in the dashboard's and the public
ledger's workbooks, and raw in the CSVs. Every download is read back as a spreadsheet would.
"""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook

from marketplace.credit_code import check_character
from marketplace.extensions import db
from marketplace.lifecycle import State
from marketplace.models import Account, Role, Station
from marketplace.services.reports.exports import FORMULA_STARTS
from tests.factories import at, gen_account, gen_cast, gen_project
from tests.web.test_station_pages import GOOD

COUNTY = '=HYPERLINK("http://x","y")'
ORGANIZATION = "=1+cmd|' /C calc'!A0"


def _is_number(cell: str) -> bool:
    try:
        int(cell)
    except ValueError:
        return False
    return True


def inert_csv(text: str) -> list[list[str]]:
    """The rows, after checking no cell but a number begins like a formula."""
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or _is_number(cell), cell
    return rows


def inert_xlsx(body: bytes) -> list[tuple[object, ...]]:
    """Every sheet's rows, after checking no cell is a formula, in openpyxl's eyes or the file's."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    rows = []
    for sheet in load_workbook(io.BytesIO(body)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value
            rows.append(tuple(cell.value for cell in row))
    return rows


def test_a_station_county_typed_as_a_formula_stays_text(client, auth, runner) -> None:
    community, admin = gen_account(Role.COMMUNITY), gen_account(Role.ADMIN)
    auth.login(community)
    assert client.post("/community/stations/new", data={**GOOD, "county": COUNTY}
                       ).status_code == 302
    auth.logout()
    station = db.session.execute(db.select(Station)).scalar_one()
    assert station.county == COUNTY, "what was typed is kept as typed"
    auth.login(admin)
    assert client.post(f"/admin/stations/{station.id}", data={"decision": "approve"}
                       ).status_code == 302

    rows = inert_csv(client.get("/admin/dashboard.csv").get_data(as_text=True))
    assert ["'" + COUNTY, "", "1", "0", "1", "0"] in rows, "coverage, neutralised"
    assert ["'" + COUNTY, GOOD["town"], "1", "0"] in rows, "stations per town, neutralised"
    cells = inert_xlsx(client.get("/admin/dashboard.xlsx").data)
    assert ("'" + COUNTY, None, 1, 0, 1, 0) in cells, "numbers stay numbers"
    result = runner.invoke(args=["stations", "coverage", "--csv"])
    assert result.exit_code == 0, result.output
    assert ["'" + COUNTY, "", "1", "0", "1", "0", GOOD["town"]] in inert_csv(result.output)


def test_an_organization_named_as_a_formula_stays_text_in_the_public_ledger(
        client, auth, clock, runner, tmp_path) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    code = "91330300MA2H12345"
    assert client.post("/signup", data={
        "role": "enterprise", "organization": ORGANIZATION, "credit_code": code
        + check_character(code), "contact": "王经理", "email": "formula@example.org",
        "password": "long enough", "confirm": "long enough",
            "phone": "13800138000", "consent": "y"}).status_code == 302
    enterprise = db.session.execute(db.select(Account).where(
        Account.email == "formula@example.org")).scalar_one()
    auth.login(cast.admin)
    assert client.post(f"/admin/organizations/{enterprise.organization_id}",
                       data={"decision": "approve"}).status_code == 302
    auth.logout()
    clock(at(5))
    client.post("/login", data={"email": "formula@example.org", "password": "long enough"})
    assert client.post(f"/enterprise/projects/{project.id}/subscribe",
                       data={"amount": "100.00", "confirmed": "yes"}).status_code == 302
    auth.logout()

    rows = inert_csv(client.get("/ledger.csv").get_data(as_text=True))
    mine = [row for row in rows if row[-2] == "'" + ORGANIZATION]
    assert [int(row[-1]) for row in mine] == [-100_00], "the amount is a number"
    cells = inert_xlsx(client.get("/ledger.xlsx").data)
    assert [row[-1] for row in cells if row[-2] == "'" + ORGANIZATION] == [-100_00]
    out = tmp_path / "ledger.xlsx"
    assert runner.invoke(args=["ledger", "export", "--format", "xlsx", "-o", str(out)]
                         ).exit_code == 0
    assert inert_xlsx(out.read_bytes()) == cells
    assert inert_csv(runner.invoke(args=["ledger", "export"]).output) == rows
