"""The test harness: generated corpora, the real command in subprocesses, fault
injection and index checks, shared by the tests and by bench/reliability.py.

Tests own it: bench/ imports from here, never the reverse, and nothing under tests/
imports bench/. Modules: ``harness`` (corpora, running searchkit, inspecting an index),
``corpus_faults``, ``interrupts`` (kill -9, Ctrl-C), ``concurrency``, ``fuzz`` (hostile
queries), ``config_faults`` (bad settings, foreign indexes), ``sample_files`` (PDF, Word,
OpenDocument and e-mail files made by the libraries that make them in the wild),
``date_suites`` and ``ner_suites`` (external suites, scored).
"""
