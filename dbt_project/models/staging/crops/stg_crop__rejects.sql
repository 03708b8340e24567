{{ stg_rejects('crop_rejects') }}
