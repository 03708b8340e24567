{{ stg_snapshots('sdg_snapshots') }}
