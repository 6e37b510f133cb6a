-- One database per service (compose.yaml runs this once, on an empty data volume).
-- The services would create a missing database themselves where they may (CREATEDB);
-- creating them here lets them run with a role that may not.
CREATE DATABASE rathaus_intake;
CREATE DATABASE rathaus_casework;
CREATE DATABASE rathaus_billing;
CREATE DATABASE rathaus_archive;
CREATE DATABASE rathaus_notify;
