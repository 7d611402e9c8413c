"""`tfgan-evaluate` in a checkout: the program is tfgan_suite/commands/evaluate.py
(its docstring and `--help` say how to use it)."""

import tfgan_launch

if __name__ == "__main__":
    tfgan_launch.evaluate()
