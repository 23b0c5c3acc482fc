"""Pydantic models as OpenAPI components.

sanic-ext inlines a pydantic model by walking its attributes: nested models come out
as dangling `#/$defs/...` references and `model_config` shows up as a property. We let
pydantic write each schema instead, with references pointing at `components/schemas`,
and keep every schema it produced here until the document is built.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

REF_TEMPLATE = "#/components/schemas/{model}"
# name → JSON schema, for every model (and nested model) a route documents
SCHEMAS: dict[str, dict[str, Any]] = {}


def reference(model: type[BaseModel], mode: Literal["validation", "serialization"]) -> dict[str, Any]:
    """`{"$ref": ...}` to the model's schema; the model and what it nests become components.

    Request models are documented as clients send them ("validation"), response models
    as the server writes them ("serialization").
    """
    schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode=mode)
    for name, nested in {**schema.pop("$defs", {}), model.__name__: schema}.items():
        known = SCHEMAS.setdefault(name, nested)
        if known != nested:
            # one name, two shapes: the document would describe one of them wrongly
            raise ValueError(f"two different models are documented as {name!r}")
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def with_components(document: dict[str, Any]) -> dict[str, Any]:
    """The built document with every registered schema under components/schemas."""
    components = document.setdefault("components", {})
    components["schemas"] = {**components.get("schemas", {}), **SCHEMAS}
    return document
