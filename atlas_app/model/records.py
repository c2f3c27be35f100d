"""The base of every record, and the records that cite: references, citations, figures."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z][a-z0-9_]*$"

Id = Annotated[str, Field(pattern=ID_PATTERN)]

Vec3 = tuple[float, float, float]

Confidence = Literal["V", "I", "S", "U"]

CONFIDENCE_MEANING = {
    "V": "verbatim in the published text",
    "I": "inferred or calculated from published numbers",
    "S": "from a secondary source, not checked against the primary paper",
    "U": "unsourced textbook value",
}


class Record(BaseModel):
    """Base of every record: immutable, and unknown keys are errors (typos must not pass)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Reference(Record):
    """One entry of the bibliography."""

    id: Id
    citation: str = Field(min_length=5)
    short: str = Field(
        min_length=2, description="How the app names it inline, e.g. 'Ebraheim 1997'"
    )
    url: str | None = None
    doi: str | None = None
    pmid: str | None = None
    note: str | None = None


class Citation(Record):
    """A pointer into the bibliography, with how sure we are of the figure."""

    ref: Id
    confidence: Confidence = "V"
    locator: str | None = Field(default=None, description="table, figure or page in the source")
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        # `cite: [ebraheim_1997]` is the common case; a mapping adds confidence or a note.
        if isinstance(value, str):
            return {"ref": value}
        return value


Cites = Annotated[list[Citation], Field(min_length=1)]


class Figure(Record):
    """A published number attached to a structure (a width, a distance, a prevalence)."""

    id: Id
    label: str
    value: float | None = None
    sd: float | None = Field(default=None, ge=0)
    min: float | None = None
    max: float | None = None
    unit: str
    population: str | None = None
    cite: Cites

    @model_validator(mode="after")
    def _has_a_number(self) -> Figure:
        if self.value is None and (self.min is None or self.max is None):
            raise ValueError("a figure needs a value, or both min and max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self
