{{ stg_snapshots('crime_snapshots') }}
