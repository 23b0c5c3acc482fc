"""The transactional outbox (SPEC §8): stage work with the change, relay it after commit."""
