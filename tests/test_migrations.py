"""The migrations build exactly the schema the models describe, on either database."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from marketplace.extensions import db


def test_migrated_schema_matches_the_models(app) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True,
                              "include_object": app.extensions["migrate"].configure_args[
                                  "include_object"]})
        assert compare_metadata(context, db.metadata) == []
