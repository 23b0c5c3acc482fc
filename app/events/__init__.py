"""Live events (SPEC §7): the bus that carries them and the SSE stream that delivers them."""
