// Helper macros of spec 17.1, run once per connection by the engine. They contain no user data.
// TEMP macros live in the connection, so they work even when the attached catalog is read-only.

export const MACROS_SQL = `
SET TimeZone = 'UTC';
CREATE OR REPLACE TEMP MACRO pnum(s) AS CASE WHEN regexp_full_match(s, '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?') THEN CAST(s AS DOUBLE) END;
CREATE OR REPLACE TEMP MACRO vnum(s, n) AS coalesce(n, pnum(s));
CREATE OR REPLACE TEMP MACRO vtext(s, n, b) AS coalesce(s,
  CASE WHEN n = trunc(n) AND abs(n) < 1e15 THEN CAST(CAST(n AS BIGINT) AS VARCHAR) ELSE CAST(n AS VARCHAR) END,
  CASE WHEN b THEN 'true' WHEN NOT b THEN 'false' END);
CREATE OR REPLACE TEMP MACRO ftstok(t) AS list_filter(regexp_split_to_array(lower(coalesce(t, '')), '[^\\p{L}\\p{N}]+'), x -> x <> '');
CREATE OR REPLACE TEMP MACRO sevrank(s) AS list_position(['trace','debug','info','warn','error','fatal'], s);
`;
