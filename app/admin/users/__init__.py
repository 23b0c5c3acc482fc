"""Users administration (SPEC §5): list, search, read, disable, global roles."""
