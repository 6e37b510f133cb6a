-- The steps the timers took on unpaid claims (services/billing/timers.py): a reminder, each
-- month's late-payment surcharge, the handover for enforcement — each recorded once per claim
-- in the transaction that puts its event into the outbox, so a restart, a second replica or a
-- log that is behind never takes a step twice.
CREATE TABLE billing_dunning_steps (
    case_id     uuid        NOT NULL,
    step        text        NOT NULL,
    town        text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, step)
);
