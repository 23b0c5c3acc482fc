"""admin/users."""
