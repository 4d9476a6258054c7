"""Turning bad input into a Dagster failure a person can act on: the message names the source,
object, row and column; the traceback is kept for developers but is never the only thing shown."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from carbon_pipeline.errors import ConfigError, SourceError


@contextmanager
def input_failures() -> Iterator[None]:
    try:
        yield
    except SourceError as exc:
        raise dg.Failure(
            description=str(exc),
            metadata={
                "source_id": exc.source_id,
                "object": exc.object_key or "",
                "row": exc.row if exc.row is not None else -1,
                "column": exc.column or "",
                "outcome": "nothing written: the partition keeps its previous data",
            },
        ) from exc
    except ConfigError as exc:
        raise dg.Failure(description=str(exc), metadata={"outcome": "nothing written"}) from exc
