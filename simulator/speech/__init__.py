"""Speech: synthesis, playback, capture and recognition, each behind a small interface
with a real implementation and a file-backed one for tests and benchmarks."""

RATE = 16_000  # what recognition wants: mono, 16-bit
