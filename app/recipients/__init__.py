"""The registry of recipients (低保, 特困, 低保边缘) and roster import."""
