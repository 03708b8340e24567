{{ stg_rejects('sdg_rejects') }}
