"""Reading the corpus: file loading and parsing (``documents``), sentence-aware chunking
(``chunking``), shared text utilities (``text``), instruction-injection detection
(``injection``), the parallel load-and-chunk stream (``stream``) and uploads (``uploads``).
"""
