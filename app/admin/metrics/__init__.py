"""Platform figures for administrators (SPEC §5, GET /admin/metrics)."""
