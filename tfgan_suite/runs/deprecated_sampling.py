"""`tgs.sampling`, the old home of loading and sampling functions; use
`tgs.runs` (load, translate_files) and `tgs.metrics`
(discriminator_filtered, conditional_scores)."""

from tfgan_suite.metrics.sampling import (conditional_scores,  # noqa: F401
                                          discriminator_filtered)
from tfgan_suite.runs.loading import (SavedModelGenerator,  # noqa: F401
                                      SavedModelTranslator, translate_files)
from tfgan_suite.runs.loading import load as _load


def load(path, kind=None, model=None):
    """`tgs.runs.load`; `kind` is its old name for `model`."""
    return _load(path, model=model or kind)
