"""The record: the audit chain and its anchors, the public trail, who hears about a move and the
e-mail outbox."""
