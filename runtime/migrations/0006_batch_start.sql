-- A projection runner's batch begins in one round trip instead of two: the transaction's search
-- path and commit mode, the projection's apply lock, then the checkpoint and the lease's epoch.
-- The two reads are statements of their own inside the function, and under READ COMMITTED (the
-- runners' isolation) each statement of a volatile function takes a fresh snapshot: they see
-- what the lock's previous holder committed. (One SQL statement that locked and read would
-- not: its snapshot is taken before the lock is granted.)
CREATE FUNCTION public.rc_batch_start(
    schema_name text,
    apply_lock bigint,
    sync text,
    stream_name text,
    projection_name text,
    OUT checkpoint bigint,
    OUT epoch bigint
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('search_path', format('%I, public', schema_name), true),
            set_config('synchronous_commit', sync, true),
            pg_advisory_xact_lock(apply_lock);
    EXECUTE format('SELECT last_seq FROM %I.rc_checkpoint WHERE stream = $1', schema_name)
        INTO checkpoint USING stream_name;
    SELECT l.epoch INTO epoch FROM public.rc_projection_leases l
        WHERE l.projection = projection_name AND l.stream = stream_name;
END;
$$;
