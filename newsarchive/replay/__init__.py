"""Replay of the whole store in pywb, the WARCs read where they lie (see README, "Replay").

index:    the store's captures as one sorted CDXJ, kept current incrementally
env:      the separate environment pywb runs in (.venv-replay)
server:   start and stop pywb for a store (Python API and `newsarchive replay`)
pywb_app: the program that runs inside that environment (pywb and gevent only)
"""
