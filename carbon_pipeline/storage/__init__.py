"""Raw and ledger month partitions as Parquet in a folder or an S3 prefix (CARBON_PARTITION_STORE),
so that each run's DuckDB file is a cache any host can rebuild (docs/deployment.md, "Partition store")."""

from carbon_pipeline.storage.backends import PartitionStoreError
from carbon_pipeline.storage.config import open_partition_store
from carbon_pipeline.storage.partition_store import PartitionStore, stored_tables

__all__ = ["PartitionStore", "PartitionStoreError", "open_partition_store", "stored_tables"]
