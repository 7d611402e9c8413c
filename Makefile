# The README's two commands: `make demo` and `make test`. Both install what
# they need: a virtualenv in .venv with the package, and the Debian package
# dataset-fashion-mnist (the offline Fashion-MNIST).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FASHION_MNIST := /usr/share/datasets/fashion-mnist
DEMO_DIR ?= runs/demo
DEMO_ARGS ?= --epochs=2 --fid_every_n_steps=0

.PHONY: demo test test-slow install fashion-mnist benchmark reproduce clean

$(VENV)/.installed: setup.py
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

fashion-mnist:
	@test -d $(FASHION_MNIST) || { $(SUDO) apt-get update -qq && \
	  $(SUDO) apt-get install -y -qq dataset-fashion-mnist; }

# DCGAN on the real Fashion-MNIST training set: sample grids, loss plot,
# a SavedModel in saved_models/dcgan/<version>/.
demo: install fashion-mnist
	rm -rf $(DEMO_DIR)
	$(PY) scripts/train.py --preset=fashion_mnist_dcgan $(DEMO_ARGS) \
	  --out_dir=$(DEMO_DIR) --export=saved_models/dcgan
	$(PY) scripts/generate.py --model_path=saved_models/dcgan --num=64 \
	  --out=$(DEMO_DIR)/served_samples.png

# Fast tests (CI), one pytest-xdist worker per core (a module's tests stay
# in one worker, with its fixtures). pytest exits 5 when it collects
# nothing: not a failure here.
test: install fashion-mnist
	$(PY) -m pytest -n auto --dist loadscope --durations=15 tests; rc=$$?; \
	  [ $$rc -eq 5 ] && rc=0; exit $$rc

test-slow: install fashion-mnist
	$(PY) -m pytest -m slow tests; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

benchmark: install
	$(PY) benchmarks/benchmark.py --model=all

# One experiment of the tutorial paper on real data (docs/results.md):
# make reproduce EXPERIMENT=fig8 (fig9, fig10, fig12_13, ...; ARGS=... adds flags).
EXPERIMENT ?= fig8
reproduce: install fashion-mnist
	$(PY) benchmarks/reproduce.py --experiment=$(EXPERIMENT) $(ARGS)

clean:
	rm -rf $(VENV) runs build *.egg-info
