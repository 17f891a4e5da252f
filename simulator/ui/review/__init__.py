"""Review mode: the manager's side of the app (sessions, one session, progress, calibration, exports)."""
