-- Every row a parser refused, with its file, sheet, row, column and reason: each source family's
-- rejects model (macros/families.sql).
{{- union_families('rejects') }}
