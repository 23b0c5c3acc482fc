"""Rate limiting: GCRA over Redis (shared) or process memory (fallback, embedded)."""
