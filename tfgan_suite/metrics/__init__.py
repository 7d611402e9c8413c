"""Metrics: `evaluate` (every score of a model or of two image folders,
the library behind tfgan-evaluate); FID / KID / IS (TF-GAN) on a domain
classifier or Inception (`extractor` picks one by name), precision /
recall and density /
coverage, L1 / PSNR / SSIM for paired translation, FID and cycle L1 for
unpaired translation, memorization (samples' distance to their nearest
training image), mode coverage of toy data, the Parzen-window
log-likelihood and the theory checks of Goodfellow et al. 2014, and scores
that sample a model (discriminator filtering, label accuracy of a
conditional model).
Pure functions of tensors and arrays, plus the feature extractors and
`evaluate`, which loads the data it scores against."""

from tfgan_suite.metrics.classifier import (DomainExtractor,
                                            build_classifier,
                                            classifier_path,
                                            domain_extractor, extractor,
                                            labelled, train_classifier,
                                            train_domain_classifier)
from tfgan_suite.metrics.inception import InceptionExtractor
from tfgan_suite.metrics.distances import (class_coverage, frechet_distance,
                                           inception_score, kernel_distance)
from tfgan_suite.metrics.manifold import (density_coverage,
                                          intra_class_fid, precision_recall)
from tfgan_suite.metrics.memorization import (nearest_distances,
                                              nearest_train_distance)
from tfgan_suite.metrics.paired import (evaluate_translation,
                                        evaluate_unpaired, mean_scores,
                                        paired_scores, psnr, ssim)
from tfgan_suite.metrics import (inception, memorization, modes, parzen,
                                 sampling, theory)
from tfgan_suite.metrics.modes import mode_coverage
from tfgan_suite.metrics.parzen import parzen_log_likelihood, select_sigma
from tfgan_suite.metrics.sampling import (conditional_scores,
                                          discriminator_filtered)
from tfgan_suite.metrics import evaluation
from tfgan_suite.metrics.evaluation import evaluate

__all__ = ["DomainExtractor", "InceptionExtractor",
           "build_classifier", "class_coverage", "classifier_path",
           "conditional_scores", "density_coverage",
           "discriminator_filtered", "domain_extractor", "evaluate",
           "evaluation",
           "evaluate_translation", "evaluate_unpaired", "extractor",
           "frechet_distance", "inception", "inception_score", "labelled",
           "intra_class_fid", "kernel_distance", "memorization",
           "mean_scores", "mode_coverage", "modes", "nearest_distances",
           "nearest_train_distance",
           "paired_scores", "parzen", "parzen_log_likelihood",
           "precision_recall", "psnr", "sampling", "select_sigma",
           "ssim", "theory",
           "train_classifier", "train_domain_classifier"]
