"""What people read: the per-year inventory printed by `make run`."""
