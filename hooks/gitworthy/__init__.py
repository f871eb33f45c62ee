"""gitworthy: keep data sets, models, PII, secrets and `_final_v2` copies out of git."""
from __future__ import annotations

__version__ = "0.1.0"
