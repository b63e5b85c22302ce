"""Tests of the dashboard card: its resource, its poster view."""
