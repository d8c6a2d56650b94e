"""Who someone is: accounts, log-in and its throttle, API tokens, and the administrator's approval
of the organizations and stations that sign up."""
