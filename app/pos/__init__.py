"""The till: touchscreen POS, pricing, checkout, receipts and printing, voids, shifts."""
