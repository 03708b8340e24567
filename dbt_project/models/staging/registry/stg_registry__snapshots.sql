{{ stg_snapshots('registry_snapshots') }}
