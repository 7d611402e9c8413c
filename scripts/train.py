"""`tfgan-train` in a checkout: the program is tfgan_suite/commands/train.py
(its docstring and `--help` say how to use it)."""

import tfgan_launch

if __name__ == "__main__":
    tfgan_launch.train()
