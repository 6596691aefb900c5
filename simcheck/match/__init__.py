"""Stage 6, match: from a draft and the references to verified scene pairs with their evidence.

Owns the draft being compared and the reference scenes it meets (``draft``), candidate scene pairs from
both search structures (``candidates``), token alignment (``seeds`` then ``align``), semantic passage
pairs (``semantic``), verification of each candidate into evidence (``evidence``), scores (``scoring``),
the inferred character mapping (``names``), what the writer may use (``allowlist``) and the null models
that turn a similarity into a rarity and a level (``rarity``). Imports read, text, embed and search.

A new kind of evidence: a module here that finds it for a candidate scene pair, called from
``evidence.verify_script``, its pieces scored by ``scoring.score_pair`` like the others.
"""
