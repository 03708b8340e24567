{{ stg_rejects('untc_rejects') }}
