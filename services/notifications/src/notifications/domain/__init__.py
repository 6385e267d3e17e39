"""Notifications' pure rules: the message catalogue, the personalisation fields, where a
volunteer's messages may go, quiet hours, and a notification's lifecycle. No database, no
Flask: the service layer applies them."""
