"""Cross-cutting pieces every capability uses: settings, errors, responses, access."""
