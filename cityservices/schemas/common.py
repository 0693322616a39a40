"""The base of every response model and the shared field types."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """A response document. ``extra="forbid"``: a key the model does not declare is an error
    (a 500 in the server, a failure in the tests), so the models cannot drift from the wire."""

    model_config = ConfigDict(extra="forbid")


IsoTime = Annotated[
    str,
    Field(
        description="ISO 8601 with the Moscow offset",
        examples=["2025-12-01T09:30:00+03:00"],
        json_schema_extra={"format": "date-time"},
    ),
]
Latitude = Annotated[float, Field(ge=-90, le=90, examples=[55.7655])]
Longitude = Annotated[float, Field(ge=-180, le=180, examples=[37.605])]
