-- Clerks search cases by any part of the case number or the applicant's name: trigram
-- indexes make "%müller%" fast at a million cases. pg_trgm is a trusted extension (the
-- database owner may create it) shipped with PostgreSQL's contrib modules.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
