"""The small core every service stands on: the unit of work and its lock, the errors a service
raises, who may act, who may see, firing a move, and answering a retried money request once."""
