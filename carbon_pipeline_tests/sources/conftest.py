"""Fixtures shared by the source tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def two_warehouses(tmp_path):
    """Two empty warehouse files, ``copy.duckdb`` and ``other.duckdb``: one month read two ways, compared."""
    from carbon_pipeline.warehouse.connection import open_warehouse

    copied, other = open_warehouse(tmp_path / "copy.duckdb"), open_warehouse(tmp_path / "other.duckdb")
    yield copied, other
    copied.close()
    other.close()
