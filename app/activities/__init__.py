"""The call log: activities (kontakthändelser) logged against a company."""
