-- Runs statements after taking transaction-level advisory locks on the given keys, all in one
-- round trip instead of four per statement (BEGIN, the locks, the statement, COMMIT): the comment
-- INSERTs' duplicate and flood checks, under the locks that keep identical submissions apart.
-- Each command of a volatile PL/pgSQL function takes a fresh snapshot, so each statement sees
-- every row committed by whoever held one of the locks before, and the rows of the statements
-- before it. The locks are taken in key order, so two callers never wait for each other crosswise.
-- The statements name their arguments $1[1], $1[2], … (text, cast where a type is needed); their
-- rows come back as JSON, numbered by statement.
CREATE FUNCTION "marginalia_after_locks"(lock_keys text[], statements text[], args text[])
RETURNS TABLE (statement_number integer, affected_row jsonb)
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(lock_key, 0))
  FROM unnest(lock_keys) AS lock_key
  ORDER BY lock_key;
  FOR statement_number IN 1 .. coalesce(array_length(statements, 1), 0) LOOP
    RETURN QUERY EXECUTE
      'WITH affected AS (' || statements[statement_number] || ') SELECT '
        || statement_number || ', to_jsonb(affected) FROM affected'
      USING args;
  END LOOP;
END
$$;
