{{ stg_rejects('drug_use_rejects') }}
