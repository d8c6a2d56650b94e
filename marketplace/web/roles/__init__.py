"""Role pages: what each signed-in role does, one module per role or task."""
