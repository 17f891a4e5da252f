"""The coach's authoring view."""
