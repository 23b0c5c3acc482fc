"""The API's own documentation: OpenAPI document, Swagger UI, ReDoc (SPEC §1, Docs)."""
