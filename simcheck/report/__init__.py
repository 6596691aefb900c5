"""TODO"""

from simcheck.report.model import *  # noqa: F403
