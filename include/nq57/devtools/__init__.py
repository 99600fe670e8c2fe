"""Demo and test tooling: embedded servers, sample data, synthetic sets, evaluation. Nothing on a DAG path imports it."""
