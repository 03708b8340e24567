-- The homicide rate of the SDG Global Database (16.1.1, VC_IHR_PSRC, both sexes) against the rate
-- the warehouse reads from the UN-CTS homicide file (TRA.R1.D1), per country and year, with the
-- number of victims each release gives beside it (SDG VC_IHR_PSRCN; UN-CTS counts), so that a
-- revised rate says whether the victims or the population it is divided by changed.
--
-- Equal within rounding: the two differ by no more than half a unit of the last decimal the SDG
-- release publishes for the series (two decimals for the homicide rate), or of the 7th significant
-- digit (the DDF re-cut's rounding), whichever is larger.
with sdg_rates as (
    select
        country_iso3, year, value, value_text, nature, nature_label, vintage, channel,
        snapshot_id, source_file || ':' || source_row as source_rows
    from {{ ref('fct_sdg_observations') }}
    where series_code = 'VC_IHR_PSRC' and area_kind = 'country' and sex = 'BOTHSEX'
      and units = 'PER_100000_POP' and coalesce(reporting_type, 'G') = 'G'
),

-- The most decimals the series' figures have in this release.
sdg_precision as (
    select coalesce(max(length(split_part(value_text, '.', 2))), 0) as decimals from sdg_rates
),

sdg_victims as (
    select country_iso3, year, value
    from {{ ref('fct_sdg_observations') }}
    where series_code = 'VC_IHR_PSRCN' and area_kind = 'country' and sex = 'BOTHSEX'
      and units = 'NUMBER' and coalesce(reporting_type, 'G') = 'G'
),

uncts_rates as (
    select ref_area_code as country_iso3, year, value, obs_status, vintage, snapshot_ids, source_rows
    from {{ ref('fct_indicator_values') }}
    where indicator_code = 'TRA.R1.D1' and ref_area_type = 'country'
),

-- The victims the same UN-CTS release counts (one figure per country and year: where the file
-- repeats a key, the last row in file order, as the rate's own rule).
uncts_victims as (
    select country_iso3, year, value_numeric as value
    from {{ ref('fct_crime_statistics') }}
    where dataset = 'cts_intentional_homicide' and indicator = 'Victims of intentional homicide'
      and dimension = 'Total' and category = 'Total' and sex = 'Total' and age = 'Total' and unit = 'Counts'
      and reporting_unit_kind in ('country', 'alias')
    qualify row_number() over (partition by country_iso3, year order by source_row desc) = 1
),

spans as (
    select
        (select min(year) from sdg_rates) as sdg_first, (select max(year) from sdg_rates) as sdg_last,
        (select min(year) from uncts_rates) as uncts_first, (select max(year) from uncts_rates) as uncts_last
),

paired as (
    select
        coalesce(s.country_iso3, u.country_iso3) as country_iso3,
        coalesce(s.year, u.year) as year,
        s.value as sdg_rate, s.value_text as sdg_rate_text, s.nature as sdg_nature, s.nature_label as sdg_nature_label,
        u.value as uncts_rate, u.obs_status as uncts_obs_status,
        sv.value as sdg_victims, uv.value as uncts_victims,
        greatest(0.5 * pow(10, -p.decimals),
                 0.5 * pow(10, floor(log10(greatest(abs(coalesce(s.value, 0)), 1e-12))) - 6)) + 1e-9 as tolerance,
        s.vintage as sdg_vintage, s.channel as sdg_channel, s.snapshot_id as sdg_snapshot_id, s.source_rows as sdg_source_rows,
        u.vintage as uncts_vintage, u.snapshot_ids as uncts_snapshot_ids, u.source_rows as uncts_source_rows,
        coalesce(s.year, u.year) between greatest(spans.sdg_first, spans.uncts_first)
                                     and least(spans.sdg_last, spans.uncts_last) as year_in_both_releases
    from sdg_rates as s
    full outer join uncts_rates as u using (country_iso3, year)
    left join sdg_victims as sv on sv.country_iso3 = coalesce(s.country_iso3, u.country_iso3) and sv.year = coalesce(s.year, u.year)
    left join uncts_victims as uv on uv.country_iso3 = coalesce(s.country_iso3, u.country_iso3) and uv.year = coalesce(s.year, u.year)
    cross join sdg_precision as p
    cross join spans
    -- A UN-CTS row without a rate ("<5" suppressed) has no figure to compare.
    where s.value is not null or u.value is not null
),

classified as (
    select
        *,
        sdg_rate - uncts_rate as difference,
        case when uncts_rate != 0 then (sdg_rate - uncts_rate) / uncts_rate end as relative_difference,
        case
            when sdg_rate is null then 'only_in_uncts'
            when uncts_rate is null then 'only_in_sdg'
            when abs(sdg_rate - uncts_rate) <= tolerance then 'equal_within_rounding'
            else 'revised'
        end as classification
    from paired
)

select
    c.country_iso3,
    d.country_name,
    c.year,
    c.sdg_rate,
    c.sdg_rate_text,
    c.uncts_rate,
    c.difference,
    c.relative_difference,
    c.tolerance,
    c.classification,
    case
        when c.classification != 'revised' then null
        when c.sdg_victims is null or c.uncts_victims is null then 'no count of victims in both releases to compare'
        when c.sdg_victims = c.uncts_victims then 'the same number of victims in both: the population the rate divides by differs'
        else 'the number of victims differs: ' || cast(c.uncts_victims as bigint) || ' in UN-CTS, '
            || cast(c.sdg_victims as bigint) || ' in the SDG database'
    end as revision_explained,
    c.sdg_victims,
    c.uncts_victims,
    c.year_in_both_releases,
    count(*) over (partition by c.classification) as rows_in_classification,
    count(*) over (partition by c.classification, c.year_in_both_releases) as rows_in_classification_and_span,
    c.sdg_nature,
    c.sdg_nature_label,
    c.uncts_obs_status,
    c.sdg_vintage,
    c.sdg_channel,
    c.sdg_snapshot_id,
    c.sdg_source_rows,
    c.uncts_vintage,
    c.uncts_snapshot_ids,
    c.uncts_source_rows
from classified as c
left join {{ ref('dim_country') }} as d on d.iso3 = c.country_iso3
order by c.country_iso3, c.year
