"""Published periods (immutable snapshots) and the restatement log with its bridge (docs/restatements.md)."""

from carbon_pipeline.publishing.snapshots import (
    PublishError,
    Snapshot,
    bridge_mismatches,
    publish_period,
    refresh_restatements,
    snapshot_problems,
)

__all__ = [
    "PublishError",
    "Snapshot",
    "bridge_mismatches",
    "publish_period",
    "refresh_restatements",
    "snapshot_problems",
]
