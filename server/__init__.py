"""barrier-lint's language server: a thin protocol adapter over the `barrier_lint` analyzer core."""
