"""Access service: each establishment decides who enters, and the gate check."""
