"""The experiments of benchmarks/reproduce.py from scripts/ (its docstring
and `--help` say what each does):

    python scripts/reproduce.py --experiment=fig8
"""

import os
import runpy

if __name__ == "__main__":
    runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "benchmarks", "reproduce.py"),
                   run_name="__main__")
