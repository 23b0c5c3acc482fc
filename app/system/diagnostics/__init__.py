"""system/diagnostics."""
