"""Money: the ledger (the only way money moves), where the lifecycle's money goes, its verification,
the fund's figures, and what a decision will do to money before it is made."""
