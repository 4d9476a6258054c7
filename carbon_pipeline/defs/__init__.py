"""Dagster definitions, one module per stage: raw -> ledger -> factors -> emissions -> marts -> serving,
plus the checks that guard each stage and the jobs, schedules and sensors that run them."""
