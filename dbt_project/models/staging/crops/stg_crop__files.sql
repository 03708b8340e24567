{{ stg_files('crop_files') }}
