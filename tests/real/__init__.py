"""Tests against real upstream programs (Debian packages), started by the test harness."""
