"""Reconciliation, settlement, spot-check callbacks, feedback, dashboard, public figures, exports."""
