{# Every family's snapshot table has the same provenance columns. #}
{% macro stg_snapshots(table) %}
select
    snapshot_id,
    name as snapshot_name,
    dataset,
    family,
    format as source_format,
    item,
    version as snapshot_version,
    filename,
    sha256,
    meta_sha256,
    size as size_bytes,
    producer,
    title,
    url,
    accessed,
    published,
    cast(as_of as date) as snapshot_as_of,
    licence,
    upstream,
    notes,
    stored_at,
    -- A source whose last fetch failed: the build used this, its last good snapshot.
    coalesce(is_stale, false) as is_stale,
    last_fetch_error,
    last_fetch_at
from {{ source('raw', table) }}
{% endmacro %}
