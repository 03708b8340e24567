-- Every source file the warehouse was built from: checksum, URL, access date, licence. One select
-- per source family's snapshot model, from the family declarations (macros/families.sql).
{{- union_families('snapshots') }}
