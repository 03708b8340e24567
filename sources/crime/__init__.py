"""dataUNODC crime statistics (the UN-CTS file family) and the WDR drug seizures table."""
