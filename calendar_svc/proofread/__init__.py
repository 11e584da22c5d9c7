"""Proofread a directive's anniversary lines against the dates and the dataset.

Pure functions over text and anniversaries, no I/O:

* :mod:`~calendar_svc.proofread.names` normalises names (case, old and new tone marks,
  abbreviations) and scores how alike two names are;
* :mod:`~calendar_svc.proofread.mentions` finds the anniversary mentions of a text;
* :mod:`~calendar_svc.proofread.matching` matches a mention's name to an anniversary;
* :mod:`~calendar_svc.proofread.check` turns mentions into findings (slips, omissions,
  strays) with the correction to apply.
"""
