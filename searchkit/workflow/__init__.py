"""The analyst's next steps after a search: who goes with whom (``associate``), export
(``export``), saved searches that report what is new (``saved``) and timelines
(``timeline``).

Each module is library code over ``SearchKit`` and its engine's public methods
(``match_mask``, ``date_postings``, ``tables``, ``groups``); none touches Whoosh, prints,
or exits. The CLI and REPL only call these functions and format their results.
"""
