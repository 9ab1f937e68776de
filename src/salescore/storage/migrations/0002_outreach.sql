-- salescore schema version 2: the outreach aggregates (enrollments, consent records, merges),
-- and the leads' web domain as an indexed column (filled by migrate() from the stored leads).
ALTER TABLE leads ADD COLUMN domain $text;
CREATE INDEX leads_domain ON leads (domain, id);
CREATE TABLE enrollments (id $text PRIMARY KEY, version INTEGER NOT NULL, document $json NOT NULL, cadence_id $text, owner_id $text, status $text, party__kind $text, party__id $text, created_at $text, updated_at $text);
CREATE INDEX enrollments_cadence_id ON enrollments (cadence_id, id);
CREATE INDEX enrollments_owner_id ON enrollments (owner_id, id);
CREATE INDEX enrollments_status ON enrollments (status, id);
CREATE INDEX enrollments_party__kind ON enrollments (party__kind, id);
CREATE INDEX enrollments_party__id ON enrollments (party__id, id);
CREATE INDEX enrollments_created_at ON enrollments (created_at, id);
CREATE INDEX enrollments_updated_at ON enrollments (updated_at, id);
CREATE TABLE consent_records (id $text PRIMARY KEY, version INTEGER NOT NULL, document $json NOT NULL, party__kind $text, party__id $text, created_at $text, updated_at $text);
CREATE INDEX consent_records_party__kind ON consent_records (party__kind, id);
CREATE INDEX consent_records_party__id ON consent_records (party__id, id);
CREATE INDEX consent_records_created_at ON consent_records (created_at, id);
CREATE INDEX consent_records_updated_at ON consent_records (updated_at, id);
CREATE TABLE merges (id $text PRIMARY KEY, version INTEGER NOT NULL, document $json NOT NULL, kind $text, survivor $text, merged $text, undone $bool, created_at $text, updated_at $text);
CREATE INDEX merges_kind ON merges (kind, id);
CREATE INDEX merges_survivor ON merges (survivor, id);
CREATE INDEX merges_merged ON merges (merged, id);
CREATE INDEX merges_undone ON merges (undone, id);
CREATE INDEX merges_created_at ON merges (created_at, id);
CREATE INDEX merges_updated_at ON merges (updated_at, id);
