"""Coaching sessions (SPEC §6): scheduling (one or a series), overlap, the notice window,
the status machine, and the /sessions list. docs/coaching.md, "Coaching sessions"."""
