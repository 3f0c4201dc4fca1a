"""Filled in by the documents services: a receipt issued becomes a signed e-receipt."""
