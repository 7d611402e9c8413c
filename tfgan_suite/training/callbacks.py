"""Keras callbacks for GAN training, by concern: the training picture
(`pictures`), what a run logs (`logs`), scores during training (`scores`),
health (`health`) and clean stops on signals (`signals`). This module is
their one public namespace: `tgs.training.callbacks.SampleGrid`, ...

Every callback counts steps with the model's own `step_counter` (calls of
`train_step`), so a resumed run continues its files, plots and
TensorBoard curves where it stopped."""

from tfgan_suite.training.health import (HealthMonitor, diagnose,
                                         health_forward, health_values,
                                         overfitting)
from tfgan_suite.training.logs import (HistoryCSV, LossHistory, Progress,
                                       TensorBoard, step_of)
from tfgan_suite.training.pictures import SampleGrid, TranslationGrid, picture
from tfgan_suite.training.scores import Scores
from tfgan_suite.training.signals import Interrupt

__all__ = ["HealthMonitor", "HistoryCSV", "Interrupt", "LossHistory",
           "Progress", "SampleGrid", "Scores", "TensorBoard",
           "TranslationGrid", "diagnose", "health_forward", "health_values",
           "overfitting", "picture", "step_of"]
