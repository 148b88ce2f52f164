"""Helpers the tests import (not fixtures: those are pytest plugins in tests/plugins/), one module per thing they own."""
