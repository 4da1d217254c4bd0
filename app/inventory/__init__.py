"""Inventory: categories, products with market and charity prices, the stock ledger per shop,
receiving, adjustments, transfers, stocktakes, catalogue import/export."""
