-- marginalia_after_locks, its statements now planned once per connection: a statement run by
-- EXECUTE of its text was parsed and planned on every call, which cost PostgreSQL more than running
-- it (0.37 ms of planning to 0.23 ms of execution for a comment INSERT). Each statement text is now
-- prepared in the session under a name from its hash, the first time that session sees it, and
-- executed by that name; PostgreSQL replans it by itself should a table it reads change. Each
-- statement's arguments are its own array ($1[1], $1[2], … in every statement), so a statement's
-- text is the same from call to call whatever else is sent with it; `args` holds one array per
-- statement, as JSON. The texts differ only by their shape (which values are null, how many ids a
-- list holds), so a session keeps a few dozen at most; past 64 it lets them all go and starts over.
-- Plans are generic: made once, not for each call's values (the statements look rows up by key and
-- index ranges, which a generic plan does as well).
DROP FUNCTION "marginalia_after_locks"(text[], text[], text[]);

CREATE FUNCTION "marginalia_after_locks"(lock_keys text[], statements text[], args jsonb)
RETURNS TABLE (statement_number integer, affected_row jsonb)
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  prepared_name text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(lock_key, 0))
  FROM unnest(lock_keys) AS lock_key
  ORDER BY lock_key;
  FOR statement_number IN 1 .. coalesce(array_length(statements, 1), 0) LOOP
    prepared_name := 'marginalia_' || md5(statements[statement_number]);
    IF NOT EXISTS (SELECT FROM pg_prepared_statements AS prepared WHERE prepared.name = prepared_name) THEN
      IF (SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'marginalia\_%') >= 64 THEN
        FOR prepared_name IN SELECT name FROM pg_prepared_statements WHERE name LIKE 'marginalia\_%' LOOP
          EXECUTE format('DEALLOCATE %I', prepared_name);
        END LOOP;
        prepared_name := 'marginalia_' || md5(statements[statement_number]);
      END IF;
      EXECUTE format(
        'PREPARE %I(text[], integer) AS WITH affected AS (%s) SELECT $2, to_jsonb(affected) FROM affected',
        prepared_name, statements[statement_number]);
    END IF;
    -- The server's EXECUTE takes no parameters from PL/pgSQL: its arguments go as literals.
    RETURN QUERY EXECUTE format('EXECUTE %I(%L, %s)', prepared_name,
      ARRAY(SELECT jsonb_array_elements_text(args -> (statement_number - 1))), statement_number);
  END LOOP;
END
$$;
