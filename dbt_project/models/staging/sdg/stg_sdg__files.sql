{{ stg_files('sdg_files') }}
