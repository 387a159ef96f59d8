"""The index: embeddings, the Chroma vector store, the BM25 keyword index, the on-disk
state and published snapshots, disk-space checks, and the incremental indexer with its
background sync.
"""
