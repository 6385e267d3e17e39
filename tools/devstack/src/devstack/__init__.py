"""The development stack: every service's processes started together, for `make run`, the
end-to-end tests and the benchmarks (devstack.stack)."""
