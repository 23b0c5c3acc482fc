"""GET /system/diagnostics (SPEC §4): version, settings set, migrations, queues."""
