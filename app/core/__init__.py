"""Shared building blocks: money, business time, ID numbers, masking, crypto, audit, errors."""
