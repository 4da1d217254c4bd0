"""Donations: donors, intake, the donation corner's stock per lot, free pickups, acknowledgements."""
