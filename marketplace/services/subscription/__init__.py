"""Subscription: enterprises commit money, the fund matches it, released credit is moved or
withdrawn, the receipts."""
