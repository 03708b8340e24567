{{ stg_rejects('crime_rejects') }}
