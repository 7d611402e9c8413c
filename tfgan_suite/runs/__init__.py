"""A run folder's life: its config (`runs.config`: `RunConfig`), the
examples it trains on and holds out (`runs.examples`), what it holds
(`runs.layout`), its checkpoints and step counter (`runs.checkpoints`),
and loading what it made — a run folder, `.keras` file or SavedModel,
whatever class made it (`runs.loading`)."""

from tfgan_suite.runs import (checkpoints, config, examples, layout,
                              loading, walks)
from tfgan_suite.runs.config import (RunConfig, make_config, read_config,
                                     resume_config)
from tfgan_suite.runs.loading import (SavedModelGenerator,
                                      SavedModelTranslator, generate_files,
                                      load, load_keras, model_from_run,
                                      translate_files)
from tfgan_suite.runs.walks import write_interpolation

__all__ = ["RunConfig", "SavedModelGenerator", "SavedModelTranslator",
           "checkpoints", "config", "examples", "generate_files", "layout",
           "load", "load_keras", "loading", "make_config", "model_from_run",
           "read_config", "resume_config", "translate_files", "walks",
           "write_interpolation"]
