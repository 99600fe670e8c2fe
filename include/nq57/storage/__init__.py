"""The object store and the warehouse: the only modules that talk to either."""
