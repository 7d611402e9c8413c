"""`tfgan-generate` in a checkout: the program is tfgan_suite/commands/generate.py
(its docstring and `--help` say how to use it)."""

from tfgan_suite.commands.generate import run

if __name__ == "__main__":
    run()
