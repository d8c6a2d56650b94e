"""Evaluation: panels, score sheets, inspections and the fund's evaluation awards."""
