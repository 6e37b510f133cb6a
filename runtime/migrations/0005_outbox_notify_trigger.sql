-- Wake the outbox publisher from the database itself: one round trip less per recorded commit
-- than a separate pg_notify, and no writer can forget it.
CREATE FUNCTION rc_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('rc_outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER rc_outbox_recorded AFTER INSERT ON rc_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION rc_outbox_notify();
