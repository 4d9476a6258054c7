"""``dagster/column_lineage`` on the transform assets, derived from their SQL with sqlglot's lineage: only
columns that are plain projections (an input column carried through unchanged) of another transform table.
The derivation is stored (orchestration/column_lineage.json) with each transform's SQL checksum; these tests
fail when the SQL changed and the file was not regenerated, and re-derive the marts to prove the file is what
sqlglot says."""

from __future__ import annotations

import dagster as dg

from carbon_pipeline.definitions import build_definitions
from carbon_pipeline.orchestration import lineage
from carbon_pipeline.transforms import TRANSFORMS

MARTS = [t for t in TRANSFORMS if t.table.startswith("marts.")]


def test_the_stored_lineage_was_derived_from_the_current_sql():
    stored = lineage._stored()
    assert set(stored) == {t.table for t in TRANSFORMS}
    stale = [t.table for t in TRANSFORMS if stored[t.table]["models_sha256"] != lineage.models_sha256(t)]
    assert not stale, "SQL changed since the lineage was derived: run python -m carbon_pipeline.orchestration.lineage"


def test_the_stored_lineage_of_the_marts_is_what_sqlglot_derives():
    stored = lineage._stored()
    for transform in MARTS:
        assert lineage.derive(transform) == stored[transform.table]["columns"], transform.table


def test_a_grouped_key_maps_to_its_source_column_and_a_computed_column_maps_to_nothing():
    ranges = lineage.model_lineage("marts/uncertainty_ranges")
    assert ranges["method"] == {("emissions.emission_uncertainty", "method")}
    # tco2e is a SUM over the figures: computed, never claimed
    assert ranges["tco2e"] is None
    # a mart that carries the shared ranges through: each plain column maps to that model's, a ratio to nothing
    summary = lineage.model_lineage("marts/scope_summary_uncertainty")
    assert summary["tco2e"] == {("marts.uncertainty_ranges", "tco2e")}
    assert summary["u95_relative"] is None
    # through a UNION ALL: both branches' columns
    cloud = lineage.model_lineage("marts/cloud_emissions")
    assert cloud["account_id"] == {("ledger.activity", "account_id"), ("ledger.provider_emissions", "account_id")}


def test_the_asset_definition_carries_the_lineage(built):
    graph = build_definitions(built.settings).resolve_asset_graph()
    metadata = graph.get(dg.AssetKey(["marts", "scope_summary_uncertainty"])).metadata
    deps = metadata["dagster/column_lineage"].value.deps_by_column
    assert deps["scope"] == [
        dg.TableColumnDep(asset_key=dg.AssetKey(["marts", "uncertainty_ranges"]), column_name="scope")
    ]
    assert "u95_relative" not in deps
    # a table none of whose columns is a plain projection of a transform table carries no lineage at all
    assert "dagster/column_lineage" not in graph.get(dg.AssetKey(["ledger", "activity"])).metadata
