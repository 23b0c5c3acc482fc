"""Pydantic models as OpenAPI components.

pydantic writes each schema (JSON Schema 2020-12, which OpenAPI 3.1 takes as it is),
with references pointing at `components/schemas`; the models a model nests become
components too. One registry per document build.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

REF_TEMPLATE = "#/components/schemas/{model}"
Mode = Literal["validation", "serialization"]


class Components:
    def __init__(self) -> None:
        # name → JSON schema, for every model (and nested model) a route documents
        self.schemas: dict[str, dict[str, Any]] = {}

    def reference(self, model: type[BaseModel], mode: Mode) -> dict[str, Any]:
        """`{"$ref": ...}` to the model's schema; the model and what it nests become components.

        Request models are documented as clients send them ("validation"), response models
        as the server writes them ("serialization").
        """
        schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode=mode)
        self.add(schema.pop("$defs", {}))
        self.add({model.__name__: schema})
        return {"$ref": REF_TEMPLATE.format(model=model.__name__)}

    def add(self, schemas: dict[str, dict[str, Any]]) -> None:
        for name, schema in schemas.items():
            known = self.schemas.setdefault(name, schema)
            if known != schema:
                # one name, two shapes: the document would describe one of them wrongly
                raise ValueError(f"two different models are documented as {name!r}")
