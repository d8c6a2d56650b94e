from marketplace.lifecycle import State
from tests.factories import gen_cast, gen_project
from tests.services.test_matching import offer

def test_smoke(client, auth):
    cast = gen_cast()
    offer(cast, ratio_pct=50)
    for state in State:
        p = gen_project(cast, state)
        if state is State.PACKAGING:
            auth.login(cast.community)
        r = client.get(f"/projects/{p.id}?lang=zh_CN")
        assert r.status_code == 200, state
        if state is State.PACKAGING:
            auth.logout()
        if state is State.SUBSCRIPTION:
            print(r.get_data(as_text=True)[:6000])
