"""`tfgan-evaluate` in a checkout: the program is tfgan_suite/commands/evaluate.py
(its docstring and `--help` say how to use it)."""

from tfgan_suite.commands.evaluate import run

if __name__ == "__main__":
    run()
