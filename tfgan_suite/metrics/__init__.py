"""Sample-quality metrics: FID / KID / IS (TF-GAN) on a domain classifier,
and L1 / PSNR / SSIM for paired translation."""

from tfgan_suite.metrics.classifier import (DomainExtractor,
                                            InceptionExtractor,
                                            build_classifier, train_classifier)
from tfgan_suite.metrics.distances import (class_coverage, frechet_distance,
                                           inception_score, kernel_distance)
from tfgan_suite.metrics.paired import (PSNR_CAP_DB, evaluate_translation,
                                        paired_scores)

__all__ = ["DomainExtractor", "InceptionExtractor", "PSNR_CAP_DB",
           "build_classifier", "class_coverage", "evaluate_translation",
           "frechet_distance", "inception_score", "kernel_distance",
           "paired_scores", "train_classifier"]
