"""Every blueprint and every response hook of the site, registered in one place.

Public pages, the role pages and the API first; then the infrastructure that wraps each
response, in the order it must wrap (the HTTP cache and the page cache after the logs: a 304
or a cached answer is still timed, logged and headed).
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from marketplace.web import api
    from marketplace.web.infra import (
        errors,
        filters,
        health,
        httpcache,
        i18n,
        labels,
        logs,
        pagecache,
        replica,
        security,
        text_guard,
    )
    from marketplace.web.public import (
        covers,
        evidence,
        home,
        ocds,
        project,
        record,
        site,
        transparency,
    )
    from marketplace.web.roles import (
        admin,
        auth,
        bid_documents,
        community,
        complaints,
        county_reports,
        dashboard,
        enterprise,
        evaluator,
        fund,
        ngo,
        stations,
        tasks,
        tokens,
    )

    for blueprint in (home.bp, auth.bp, ocds.bp):
        app.register_blueprint(blueprint)
    site.init_app(app)  # the header, footer and cover pictures every template reads
    for blueprint in (project.bp, admin.bp, community.bp, enterprise.bp, ngo.bp, evaluator.bp,
                      complaints.bp, dashboard.bp, county_reports.bp, transparency.bp,
                      evidence.bp, tokens.bp, record.bp, stations.bp, covers.bp, tasks.bp,
                      fund.bp, bid_documents.bp):
        app.register_blueprint(blueprint)
    labels.register(app)
    errors.register(app)
    text_guard.init_app(app)
    api.init_app(app)  # after CSRFProtect is bound: the API exempts itself
    i18n.init_app(app)
    filters.register(app)
    app.register_blueprint(health.bp)
    security.init_app(app)
    logs.init_app(app)
    replica.init_app(app)  # its choice comes before every other hook's first read
    httpcache.init_app(app)  # before the page cache: a 304 needs no page at all
    pagecache.init_app(app)
