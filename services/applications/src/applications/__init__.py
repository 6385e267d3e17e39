"""Applications service: MA organisations submit and track their members' applications."""
