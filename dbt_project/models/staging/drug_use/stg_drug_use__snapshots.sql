{{ stg_snapshots('drug_use_snapshots') }}
