{{ stg_snapshots('crop_snapshots') }}
