"""Tandem: the API application (composition root: app.main)."""
