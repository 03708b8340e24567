"""The bad-input corpus: files damaged on purpose, each with the outcome the pipeline owes it.

`cases.CASES` lists them; `python -m tests.bad_inputs OUTDIR` writes every file so that one can be
checked by hand with `unodc-indicators inspect FAMILY OUTDIR/FILE`.
"""
