"""Shim for `scrapyd-deploy`, which runs `setup.py bdist_egg` and would otherwise write a setup.py of its own.

Everything is configured in pyproject.toml (packages, package-dir, the `scrapy`
entry point that tells Scrapyd the settings module).
"""

from setuptools import setup

setup()
