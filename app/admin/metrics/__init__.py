"""admin/metrics."""
