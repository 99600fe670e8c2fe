-- Every agency alias, before the shipped list is loaded again (aliases are replaced, not merged).
DELETE FROM core.agency_alias
