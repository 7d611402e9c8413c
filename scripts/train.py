"""`tfgan-train` in a checkout: the program is tfgan_suite/commands/train.py
(its docstring and `--help` say how to use it)."""

from tfgan_suite.commands.train import run

if __name__ == "__main__":
    run()
