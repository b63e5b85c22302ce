"""Typed async clients for the upstreams of Pandora Box; no Home Assistant imports here."""
