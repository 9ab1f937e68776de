-- salescore schema version 3: the leads' e-mail address in lower case (the rules' lower(email))
-- as an indexed column, for the duplicate check of a capture (filled by migrate() from the
-- stored addresses: Python's lower case, which SQL's lower() does not reproduce).
ALTER TABLE leads ADD COLUMN email_lower $text;
CREATE INDEX leads_email_lower ON leads (email_lower, id);
