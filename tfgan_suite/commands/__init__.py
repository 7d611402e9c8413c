"""The command-line programs: `scripts/<name>.py` in a checkout, and the
console scripts `tfgan-train`, `tfgan-generate`, `tfgan-evaluate`,
`tfgan-export` and `tfgan-serve-client` of the installed package. Each
module defines its absl flags and `main(argv)`; `run()` runs it. Both
start them through `tfgan_launch` (beside this package), which filters
TensorFlow's start-up noise from standard error first.
"""
