"""Spiders: they only move requests. Extraction lives in newsarchive.parser."""
