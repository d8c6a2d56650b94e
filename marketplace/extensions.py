"""Extensions are created once here and bound to the app in the factory (``init_app``)."""

from typing import Any

from flask import g, has_app_context
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic alter and drop them the same way on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """APScheduler creates and owns its job table; migrations leave it alone."""
    return not (type_ == "table" and name == "apscheduler_jobs")


READ_BIND = "replica"  # the engine of MARKETPLACE_READ_DATABASE_URL, when one is set


class Session(FlaskSession):
    """Reads from the replica when the request chose it (``web/infra/replica.py``)."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None,
                 **kwargs: Any) -> Any:
        if bind is None and has_app_context() and g.get("read_from_replica"):
            return self._db.engines[READ_BIND]
        return super().get_bind(mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate(compare_type=True, render_as_batch=True, include_object=_ours)

# Web extensions (sessions, CSRF, translations), bound in create_app like the others.
from flask_babel import Babel, gettext  # noqa: E402
from flask_login import LoginManager  # noqa: E402
from flask_wtf.csrf import CSRFProtect  # noqa: E402

login_manager = LoginManager()
login_manager.login_view = "auth.login"
# Flask-Login's own flash message, translated when it is flashed (the catalog has the msgid).
login_manager.login_message = "Please log in to access this page."
login_manager.localize_callback = gettext
csrf = CSRFProtect()
babel = Babel()
