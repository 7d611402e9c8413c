"""`tfgan-serve-client` in a checkout: the program is tfgan_suite/commands/serve_client.py
(its docstring and `--help` say how to use it)."""

from tfgan_suite.commands.serve_client import run

if __name__ == "__main__":
    run()
