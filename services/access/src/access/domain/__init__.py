"""The access rules, free of frameworks and storage: the grant's lifecycle and the gate's rules."""
