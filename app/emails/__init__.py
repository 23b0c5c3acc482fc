"""Email templates (Jinja2, text and HTML) rendered into the send_email payload."""
