"""The portfolio links each subscription's receipt; only its enterprise and the administrator
may download it."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from marketplace.lifecycle import State
from marketplace.services.subscription import funding
from tests.factories import at, gen_cast, gen_project


def test_the_portfolio_links_the_receipt_and_others_get_404(app, client, auth, clock) -> None:
    cast = gen_cast()
    project = gen_project(cast, State.SUBSCRIPTION)
    subscription = funding.subscribe(project.id, 2_345_00, actor=cast.enterprises[1], now=at(5))
    subscription_id = subscription.id
    clock(at(6))
    auth.login(cast.enterprises[1])
    page = client.get("/enterprise/").get_data(as_text=True)
    link = re.search(rf'href="(/enterprise/subscriptions/{subscription_id}/receipt\.pdf)"[^>]*>'
                     r"认购凭证（PDF）", page)
    assert link, "the portfolio row links its receipt"
    pdf = client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "认购凭证" in text and "¥2,345.00" in text and project.title in text
    auth.logout()

    auth.login(cast.enterprises[0])
    assert client.get(link.group(1)).status_code == 404
    auth.logout()
    auth.login(cast.admin)
    assert client.get(link.group(1)).status_code == 200
    auth.logout()
    assert client.get(link.group(1)).status_code == 302  # to the log-in page
