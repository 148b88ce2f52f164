"""Item pipelines: one responsibility each (parse, store records, remember state)."""
