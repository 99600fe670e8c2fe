"""One upload from bytes to a verdict: preflight, workbook reading, parsing, values, validation."""
