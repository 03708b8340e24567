{{ stg_files('drug_use_files') }}
