import type { Migration } from './migration.js';
import { SEARCH_CONFIG, SEARCH_TEXT_CHARS, SEARCH_TITLE_CHARS } from './search-settings.js';

/**
 * Exact one-word ranking without reading the matches' search vectors (search.ts, decisions.md
 * "Search at scale"). ts_rank of a one-word query, normalization 1, depends only on where the word
 * occurs in a document (its weights, in position order) and on the document's number of
 * positions. Most words of a text occur once, in the text (weight B): their rank is the same for
 * every such word of a document, `rank_floor`, a column beside the document. Every other word (in
 * the title, or repeated) is listed in `document_terms` with its exact rank. A one-word page is
 * then the best listed documents merged with the best unlisted matches by `rank_floor`, and both
 * are exactly what ts_rank computes: the functions below follow tsrank.c in float arithmetic.
 *
 * `search` becomes a column set by a trigger (same expression as before): a generated column
 * cannot derive from another one, and `rank_floor` derives from `search`. Existing rows get their
 * `rank_floor` through a table rewrite (a generated column, turned into a plain one right after)
 * and their words rebuilt in `document_terms`.
 */
export const searchWordRanks: Migration = {
  version: 5,
  name: 'search-word-ranks',
  sql: `
CREATE FUNCTION docflow_search_vector(title text, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('${SEARCH_CONFIG}'::regconfig, left(coalesce(title, ''), ${SEARCH_TITLE_CHARS})), 'A') ||
         setweight(to_tsvector('${SEARCH_CONFIG}'::regconfig, left(body, ${SEARCH_TEXT_CHARS})), 'B')
$$;

-- ts_rank's normalization 1 divides by log2(1 + the number of positions); a word without
-- positions counts once
CREATE FUNCTION docflow_search_positions(vector tsvector) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(sum(coalesce(cardinality(u.weights), 1)), 0)::integer FROM unnest(vector) u
$$;

-- ts_rank(vector, 'word', 1) of a word found once, in the text (weight B): 0.4 / (pi^2/6) /
-- log2(1 + positions), rounded to float where tsrank.c rounds
CREATE FUNCTION docflow_rank_floor(vector tsvector) RETURNS real
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p.n = 0 THEN 0
              ELSE ((0.4::real::float8 / 1.64493406685::float8)::real::float8 / (ln((p.n + 1)::float8) / ln(2::float8)))::real END
  FROM (SELECT docflow_search_positions(vector) AS n) p
$$;

-- ts_rank(vector, 'word', 1) of every word of the vector but those found once in the text (their
-- rank is docflow_rank_floor): calc_rank_or for one word adds weight / j^2 over its occurrences
-- in position order, counts the heaviest occurrence in full and divides by pi^2/6, in float;
-- weights D C B A = 0.1 0.2 0.4 1.0. in_text: whether the word also occurs in the text.
CREATE FUNCTION docflow_word_ranks(vector tsvector) RETURNS TABLE (lexeme text, in_text boolean, rank real)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH entries AS MATERIALIZED (SELECT u.lexeme, u.weights FROM unnest(vector) u),
  length AS (
    SELECT ln((coalesce(sum(coalesce(cardinality(e.weights), 1)), 0) + 1)::float8) / ln(2::float8) AS norm FROM entries e
  ),
  occurrences AS (
    SELECT e.lexeme, x = 'B' AS in_text,
           CASE x WHEN 'A' THEN 1.0::real WHEN 'B' THEN 0.4::real WHEN 'C' THEN 0.2::real ELSE 0.1::real END AS w, i::integer AS i
    FROM entries e CROSS JOIN LATERAL unnest(e.weights) WITH ORDINALITY AS o(x, i)
    WHERE e.weights <> '{B}'
  ),
  words AS (
    SELECT o.lexeme, bool_or(o.in_text) AS in_text, sum(o.w / (o.i * o.i)::real ORDER BY o.i) AS weighted,
           (array_agg(o.w ORDER BY o.w DESC, o.i))[1] AS heaviest, (array_agg(o.i ORDER BY o.w DESC, o.i))[1] AS at
    FROM occurrences o GROUP BY o.lexeme
  )
  SELECT w.lexeme, w.in_text,
         ((((w.heaviest + w.weighted) - w.heaviest / (w.at * w.at)::real)::float8 / 1.64493406685::float8)::real::float8 / length.norm)::real
  FROM words w, length
$$;

CREATE FUNCTION docflow_set_search() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title AND NEW.text IS NOT DISTINCT FROM OLD.text THEN
    -- a re-delivery of the same content: nothing to recompute (and search is never set directly)
    NEW.search := OLD.search;
    NEW.rank_floor := OLD.rank_floor;
  ELSE
    NEW.search := docflow_search_vector(NEW.title, NEW.text);
    NEW.rank_floor := docflow_rank_floor(NEW.search);
  END IF;
  RETURN NEW;
END
$$;

ALTER TABLE documents ALTER COLUMN search DROP EXPRESSION;
-- the rewrite computes rank_floor for every existing row; from then on the trigger sets it
ALTER TABLE documents ADD COLUMN rank_floor real NOT NULL GENERATED ALWAYS AS (docflow_rank_floor(search)) STORED;
ALTER TABLE documents ALTER COLUMN rank_floor DROP EXPRESSION;
-- max(rank_floor): the best rank a word found once in a text can have, in any document
CREATE INDEX documents_rank_floor_idx ON documents (rank_floor);
CREATE TRIGGER documents_set_search
  BEFORE INSERT OR UPDATE OF title, text, search, rank_floor ON documents
  FOR EACH ROW EXECUTE FUNCTION docflow_set_search();

DROP TRIGGER documents_refresh_terms ON documents;
DROP FUNCTION docflow_refresh_document_terms();
DROP FUNCTION docflow_term_impacts(tsvector, integer);
DROP TABLE document_terms;
-- in_text before rank: the row keeps the size it had without it (alignment)
CREATE TABLE document_terms (
  id text COLLATE "C" NOT NULL,
  lexeme text NOT NULL,
  in_text boolean NOT NULL,
  rank real NOT NULL
);
INSERT INTO document_terms (id, lexeme, in_text, rank)
  SELECT d.id, w.lexeme, w.in_text, w.rank FROM documents d CROSS JOIN LATERAL docflow_word_ranks(d.search) w;
-- a word's documents in rank order (the listing's order: rank, then id, descending)
CREATE INDEX document_terms_best_idx ON document_terms (lexeme, rank DESC, id DESC) INCLUDE (in_text);
CREATE INDEX document_terms_id_idx ON document_terms (id);

CREATE FUNCTION docflow_refresh_document_terms() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.search IS NOT DISTINCT FROM OLD.search THEN
    RETURN NULL;
  END IF;
  DELETE FROM document_terms WHERE id = NEW.id;
  INSERT INTO document_terms (id, lexeme, in_text, rank)
    SELECT NEW.id, w.lexeme, w.in_text, w.rank FROM docflow_word_ranks(NEW.search) w;
  RETURN NULL;
END
$$;
CREATE TRIGGER documents_refresh_terms
  AFTER INSERT OR UPDATE OF title, text, search ON documents
  FOR EACH ROW EXECUTE FUNCTION docflow_refresh_document_terms();

ANALYZE documents, document_terms;
`,
};
