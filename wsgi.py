"""Entry point for ``flask`` commands run from the checkout and for gunicorn (``wsgi:app``)."""

from marketplace import create_app

app = create_app()
