{{ stg_rejects('project_rejects') }}
