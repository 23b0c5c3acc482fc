"""Tandem: the API application (factory in app.core.factory)."""
