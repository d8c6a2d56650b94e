"""The receipt PDF as a download, for the enterprise's page and the API alike."""

from __future__ import annotations

from flask import Response, current_app

from marketplace.services.subscription.receipts import Receipt, render_pdf


def receipt_download(receipt: Receipt) -> Response:
    """An attachment named after the receipt number, never cached by a shared proxy."""
    pdf = render_pdf(receipt, current_app.config["TIMEZONE"])
    name = f"receipt-RS-{receipt.subscription.id:08d}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store"})
