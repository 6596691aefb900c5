"""Stage 2, text: a ``Script`` -> what is compared.

Owns the one tokenizer and word definition (``tokens``: folding, cast-name masking, shingles), the
compared words of scenes with exact offsets (``words``), the passages that are embedded and hashed
(``passages``), shingle hashes and script-frequency tables (``fingerprints``) and MinHash signatures
with datasketch's scheme (``minhash``). Imports only the shared base.
"""
