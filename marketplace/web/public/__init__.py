"""Public pages: anyone may read them, signed in or not."""
