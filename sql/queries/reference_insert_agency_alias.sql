-- One alias (a name, abbreviation or pre-merger name) of an agency.
INSERT INTO core.agency_alias (alias, agency_code, alias_kind)
VALUES (:alias, :code, :kind)
