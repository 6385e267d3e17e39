"""Use cases of the notifications service: queueing the catalogue's messages, delivery states,
Notify's receipts, contacts, operators' records, erasure, retention and subject access."""
