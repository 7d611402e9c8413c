"""Sample-quality metrics: FID / KID / IS (TF-GAN) on a domain classifier."""

from tfgan_suite.metrics.classifier import (DomainExtractor,
                                            InceptionExtractor,
                                            build_classifier, train_classifier)
from tfgan_suite.metrics.distances import (class_coverage, frechet_distance,
                                           inception_score, kernel_distance)

__all__ = ["DomainExtractor", "InceptionExtractor", "build_classifier", "class_coverage",
           "frechet_distance", "inception_score", "kernel_distance",
           "train_classifier"]
