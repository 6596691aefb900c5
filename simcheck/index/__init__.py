"""TODO"""

from simcheck.index.store import AddSummary, Index, IndexInfo, Progress, RemoveSummary, Skipped, VerifyReport

__all__ = ["AddSummary", "Index", "IndexInfo", "Progress", "RemoveSummary", "Skipped", "VerifyReport"]
