"""Implementation: milestones reported with evidence and accepted, volunteers' hours, and what is
owed by when."""
