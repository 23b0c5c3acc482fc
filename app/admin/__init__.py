"""Platform administration: users, platform metrics (SPEC §5), for PlatformAdmin and above."""
