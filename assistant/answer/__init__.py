"""Answering a question: hybrid retrieval (``retrieval``), question analysis
(``question``, ``english``, ``wordforms``), the answer/refuse decision (``sufficiency``),
composition (``extractive``, ``pipeline``), verification (``grounded``, ``conflicts``)
and the cited answer types (``citations``).
"""
