"""APScheduler 3 ticks the domain sweeps; due work itself lives in database rows."""
