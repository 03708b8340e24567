{{ stg_snapshots('project_snapshots') }}
