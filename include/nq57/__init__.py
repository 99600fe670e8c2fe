"""NQ57 consolidation pipeline."""
