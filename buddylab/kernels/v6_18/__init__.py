"""The modern kernel (v6.18): not running yet; its formulas only (formulas.py)."""
