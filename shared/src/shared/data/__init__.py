"""Reference data shipped inside the package (the establishments list, read by shared.reference)."""
