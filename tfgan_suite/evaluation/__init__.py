"""Evaluation: FID / KID / IS (TF-GAN) on a domain classifier, L1 / PSNR /
SSIM for paired translation, mode coverage of toy data, the Parzen-window
log-likelihood of Goodfellow et al. 2014, sampling from
trained models and the theory checks of Goodfellow et al. 2014.

`tgs.metrics` is this package."""

from tfgan_suite.evaluation.classifier import (DomainExtractor,
                                            InceptionExtractor,
                                            build_classifier, train_classifier)
from tfgan_suite.evaluation.distances import (class_coverage, frechet_distance,
                                           inception_score, kernel_distance)
from tfgan_suite.evaluation.manifold import (density_coverage,
                                          intra_class_fid, precision_recall)
from tfgan_suite.evaluation.paired import (PSNR_CAP_DB, evaluate_translation,
                                        paired_scores)
from tfgan_suite.evaluation import modes, parzen, sampling, theory
from tfgan_suite.evaluation.modes import mode_coverage
from tfgan_suite.evaluation.parzen import parzen_log_likelihood, select_sigma
from tfgan_suite.evaluation.sampling import conditional_scores

__all__ = ["DomainExtractor", "InceptionExtractor", "PSNR_CAP_DB",
           "build_classifier", "class_coverage", "conditional_scores",
           "evaluate_translation",
           "mode_coverage", "modes", "parzen", "parzen_log_likelihood",
           "sampling", "select_sigma", "theory",
           "frechet_distance", "inception_score", "kernel_distance",
           "paired_scores", "train_classifier",
           "density_coverage", "intra_class_fid", "precision_recall"]
