"""Operator tools: the command line, BI logins, object-store policies."""
