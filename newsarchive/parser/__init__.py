"""Article page objects, one class per layout era (see newsarchive/parser/README in the module docstrings)."""
