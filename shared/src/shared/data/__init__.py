"""Reference data shipped inside the package: the establishments list (read by shared.reference)
and the summary of the vetting policy's clearance levels (read by shared.clearance)."""
