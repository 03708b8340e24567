{{ stg_snapshots('untc_snapshots') }}
