"""tfgan_suite: GANs as Keras models -- train with one command or `model.fit`,
serve with TF Serving."""

import re

from setuptools import find_packages, setup

with open("tfgan_suite/__init__.py") as f:
    VERSION = re.search(r'__version__ = "([^"]+)"', f.read()).group(1)

setup(
    name="tfgan_suite",
    version=VERSION,
    description="GANs of Goodfellow et al. 2014 and the GAN tutorial paper "
                "(DCGAN, SAGAN, pix2pix, CGAN, WGAN-GP) as keras.Model subclasses",
    long_description=open("README.md").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    license_files=["LICENSE"],
    packages=find_packages(include=["tfgan_suite", "tfgan_suite.*"]),
    # Starts the commands, filtering stderr before the package loads TF.
    py_modules=["tfgan_launch"],
    python_requires=">=3.10",
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3",
        "tensorboard",  # keras.callbacks.TensorBoard; TF no longer pulls it in
        "tensorflow-datasets",
        "tensorflow-gan",
        "tensorflow-hub",  # TF-GAN's Inception network (FID as published)
        "tensorflow-probability",  # TF-GAN's classifier_metrics imports it
        "tf-keras",  # tensorflow-probability needs it on TF >= 2.16
        "numpy",
        "scipy",
        "absl-py",
        "matplotlib",
        "pillow",
        # The export's models.config and warm-up records are its protos.
        "tensorflow-serving-api",
    ],
    entry_points={"console_scripts": [
        f"tfgan-{name.replace('_', '-')}=tfgan_launch:{name}"
        for name in ("train", "generate", "evaluate", "export",
                     "serve_client")]},
    extras_require={
        "and-cuda": ["tensorflow[and-cuda]>=2.16"],
        # nbclient, nbformat, ipykernel: tests/test_notebooks.py runs notebooks/.
        "test": ["pytest>=7", "pytest-xdist>=3", "nbclient", "nbformat",
                 "ipykernel"],
    },
    classifiers=[
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
