"""Rocket."""
