"""Voucher programmes, issuance, codes, QR sheets, the public balance page, the ledger, expiry."""
