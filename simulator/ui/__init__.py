"""The Qt side of the product."""
