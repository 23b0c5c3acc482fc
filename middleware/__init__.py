"""The request chain: one module per link, assembled in order by middleware.chain."""
