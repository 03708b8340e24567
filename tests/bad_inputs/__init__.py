"""The bad-input corpus: files damaged on purpose, each with the outcome the pipeline owes it.

`cases.CASES` lists them: the first families' cases are in `cases.py`; a family added later brings
its own in `family_<family name>.py` (`BASES` and `CASES`, made of what `corpus.py` and `build.py`
give), found by `cases.py`. `python -m tests.bad_inputs OUTDIR` writes every file so that one can
be checked by hand with `unodc-indicators inspect FAMILY OUTDIR/FILE`.
"""
