select
    code as instrument_code,
    mtdsg_no,
    chapter,
    family as instrument_family,
    title,
    place as adopted_at,
    adopted_on,
    entry_into_force_on,
    parent as parent_instrument_code
from {{ source('raw', 'instruments') }}
