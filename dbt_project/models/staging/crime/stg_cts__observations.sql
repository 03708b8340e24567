with source as (
    select * from {{ source('raw', 'cts_observations') }}
),

renamed as (
    select
        -- ids
        snapshot_id,
        dataset,
        reporting_unit,
        unit_kind as reporting_unit_kind,
        country_iso3,
        iso3_code as code_in_source,
        country as name_in_source,
        region as region_in_source,
        subregion as subregion_in_source,
        -- the series
        indicator,
        dimension,
        category,
        sex,
        age,
        year,
        unit,
        -- the value, as published and as a number
        value_numeric,
        value_text,
        is_censored,
        censor_upper,
        -- provenance
        source_codes,
        release_date,
        source_file,
        source_row,
        key_occurrences,
        extra as extra_columns
    from source
)

select * from renamed
