import type { Migration } from './migration.js';

/** Words kept per document in `document_terms`: the ones that weigh most in it. */
export const TERMS_PER_DOCUMENT = 32;

/**
 * Precomputed ranks for broad queries (search.ts, decisions.md "Search at scale"). For each
 * document, the TERMS_PER_DOCUMENT lexemes that weigh most in it, each with the exact rank a
 * one-word query for it would get (ts_rank with normalization 1: weights, repetitions and the
 * document's length, recomputed here from the vector). Indexed by (lexeme, impact), so "the
 * documents where this word weighs most" is one short index scan however common the word is.
 *
 * A trigger keeps the table in step with every write of a document's title or text, in the same
 * transaction; documents are never deleted.
 */
export const searchTerms: Migration = {
  version: 3,
  name: 'search-terms',
  sql: `
CREATE FUNCTION docflow_term_impacts(vector tsvector, keep integer)
RETURNS TABLE (lexeme text, impact real)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH entries AS (
    SELECT u.lexeme, u.weights FROM unnest(vector) u
  ),
  length AS (
    -- ts_rank's normalization 1 divides by log2(1 + the number of positions)
    SELECT log(2, coalesce(sum(coalesce(array_length(weights, 1), 1)), 0) + 1) AS norm FROM entries
  ),
  scored AS (
    -- ts_rank for a one-word query: each occurrence adds weight / n^2 (in position order), the
    -- heaviest counts in full, all over pi^2/6; weights D C B A = 0.1 0.2 0.4 1.0
    SELECT e.lexeme, (
      SELECT (max(w) + sum(w / (i * i)) - (array_agg(w ORDER BY w DESC, i))[1] / power((array_agg(i ORDER BY w DESC, i))[1], 2))
             / 1.64493406685
      FROM (
        SELECT CASE x WHEN 'A' THEN 1.0 WHEN 'B' THEN 0.4 WHEN 'C' THEN 0.2 ELSE 0.1 END AS w, i
        FROM unnest(e.weights) WITH ORDINALITY AS t(x, i)
      ) occurrences
    ) AS score
    FROM entries e
  )
  SELECT s.lexeme, (s.score / length.norm)::real FROM scored s, length
  ORDER BY s.score DESC, s.lexeme
  LIMIT keep
$$;

CREATE TABLE document_terms (
  id text COLLATE "C" NOT NULL,
  lexeme text NOT NULL,
  impact real NOT NULL,
  PRIMARY KEY (id, lexeme)
);
CREATE INDEX document_terms_best_idx ON document_terms (lexeme, impact DESC, id DESC);

CREATE FUNCTION docflow_refresh_document_terms() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.search IS NOT DISTINCT FROM OLD.search THEN
    RETURN NULL;
  END IF;
  DELETE FROM document_terms WHERE id = NEW.id;
  INSERT INTO document_terms (id, lexeme, impact)
    SELECT NEW.id, t.lexeme, t.impact FROM docflow_term_impacts(NEW.search, ${TERMS_PER_DOCUMENT}) t;
  RETURN NULL;
END
$$;

CREATE TRIGGER documents_refresh_terms
  AFTER INSERT OR UPDATE OF title, text ON documents
  FOR EACH ROW EXECUTE FUNCTION docflow_refresh_document_terms();

INSERT INTO document_terms (id, lexeme, impact)
  SELECT d.id, t.lexeme, t.impact FROM documents d CROSS JOIN LATERAL docflow_term_impacts(d.search, ${TERMS_PER_DOCUMENT}) t;
`,
};
