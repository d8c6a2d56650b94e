"""The public listing shows every project with its stage."""

from marketplace.demo import seed


def test_listing_shows_projects_with_stage_and_money(client) -> None:
    seed()
    page = client.get("/").get_data(as_text=True)
    assert "助餐进社区：老人午餐补贴" in page
    assert "stage-subscription" in page and "stage-completed" in page
    assert "¥" in page
