"""The compiled part of the ad filter (`handlers/adfilter/hashed.pyx`); everything else is in
pyproject.toml. Cython and a C compiler are needed to install: see README."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize(
    [Extension("handlers.adfilter.hashed", ["handlers/adfilter/hashed.pyx"])],
    compiler_directives={"language_level": "3"},
))
