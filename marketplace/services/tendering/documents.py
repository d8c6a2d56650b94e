"""Documents attached to a bid (qualifications, a detailed plan, a budget sheet).

They are checked and stored exactly as evidence files are (services/implementation/evidence:
the extension and the first bytes must agree, generated names outside the web root, removed
again if the unit of work rolls back), and read under ``visibility.may_see_bid_document``:
sealed like the bid itself, and never public.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from marketplace.extensions import db
from marketplace.models import Account, Bid, BidDocument
from marketplace.services.core.errors import Invalid, NotFound
from marketplace.services.implementation import evidence as files

FIELD = "documents"


def check(uploads: Sequence[files.Upload], *, already: int = 0) -> list[tuple[files.Upload, str]]:
    """Each file with its sniffed kind, or Invalid next to the documents field; a bid carries
    at most ``UPLOAD_MAX_FILES`` documents, those kept from the bid it replaces included."""
    if already + len(uploads) > files.max_files():
        raise Invalid("A bid takes at most %(n)s documents.", field=FIELD, n=files.max_files())
    try:
        return files.check(uploads)
    except Invalid as refused:  # the same checks, said next to this form's own field
        refused.field = FIELD
        raise


def store(bid: Bid, checked: list[tuple[files.Upload, str]], *, actor: Account,
          now: datetime, written: list[Path]) -> list[BidDocument]:
    rows = []
    for upload, kind in checked:
        row = BidDocument(bid=bid, **files.stored_fields(upload, kind, written),
                          uploaded_by_id=actor.id, uploaded_at=now)
        db.session.add(row)
        rows.append(row)
    return rows


def get(document_id: int) -> BidDocument:
    document = db.session.get(BidDocument, document_id)
    if document is None:
        raise NotFound("No bid document %(id)s.", id=document_id)
    return document


def path_of(document: BidDocument) -> Path:
    return files.folder() / document.stored_name
