-- Whether an agency code is in core.agency (a BI login can only be mapped to a known agency).
SELECT EXISTS (SELECT FROM core.agency WHERE agency_code = :code)
