-- The running number of each town's applications per year, for readable case numbers
-- (Vorgangsnummern such as WUR-2026-000017). A number taken by a submission that then failed
-- is simply skipped.
CREATE TABLE case_numbers (
    tenant text    NOT NULL,
    year   integer NOT NULL,
    last   integer NOT NULL,
    PRIMARY KEY (tenant, year)
);
