"""Declarative automation shared by the unpartitioned assets that follow the marts (serving file, report).

``AutomationCondition.eager()`` without its "no dependency partition missing" clause: the serving file depends
on every monthly partition of the marts, including months nothing was delivered for yet (the open month, months
before a source started), so eager() as is would never fire. What stays: run once after any upstream partition
was updated, not while an upstream or this asset is in progress. A marts-only backfill thus re-publishes the
serving file and re-writes the report, instead of leaving both stale with nothing saying so. Needs the daemon
(``dagster dev`` starts it) and the default automation sensor, which Dagster creates.
"""

from __future__ import annotations

import dagster as dg

FOLLOW_UPSTREAM: dg.AutomationCondition = (
    dg.AutomationCondition.eager().without(~dg.AutomationCondition.any_deps_missing()).with_label("follow upstream")
)
